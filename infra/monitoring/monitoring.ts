/**
 * Monitoring of one pipeline stack: the encrypted alarm topic, the alarms that notify it, and
 * the dashboard. The pipeline passes the function's and dead-letter queue's names; nothing
 * here reaches into other components.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws_native from "@pulumi/aws-native";
import { AlarmTopic } from "./alarmTopic";
import { Alarms } from "./alarms";
import { Dashboard } from "./dashboard";
import { physicalName } from "../naming";

/** Purposes in the names of the monitoring resources (alarms add theirs, see alarms.ts). */
export const MonitoringPurpose = { alarmTopic: "alarms", dashboard: "dashboard" } as const;

export interface MonitoringArgs {
  /** Names follow the stack's convention, `<project>-<environment>-<purpose>`. */
  project: string;
  /** dev | staging | prod; also the Environment dimension of the function's metrics. */
  environment: string;
  accountId: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** AWS partition; default "aws". */
  partition?: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
  functionTimeoutSeconds: number;
  logGroupName: pulumi.Input<string>;
  deadLetterQueueName: pulumi.Input<string>;
  /** The thumbnail CDN's distribution, when the stack has one (charted on the dashboard). */
  distributionId?: pulumi.Input<string>;
  /** Address subscribed to the alarm topic; none when unset or empty. */
  alarmEmail?: string;
  /** ImagesFailed per 5 minutes above which to alarm (its default lives in infra/config.ts). */
  failedImagesAlarmThreshold: number;
  /** Alarm when nothing was processed for this many hours; unset or 0: no such alarm. */
  idleAlarmHours?: number;
  tags?: pulumi.Input<pulumi.Input<aws_native.types.input.TagArgs>[]>;
}

export class Monitoring extends pulumi.ComponentResource {
  public readonly alarmTopic: AlarmTopic;
  public readonly alarms: Alarms;
  public readonly dashboard: Dashboard;
  public readonly alarmTopicArn: pulumi.Output<string>;
  public readonly alarmNames: pulumi.Output<string[]>;
  public readonly dashboardName: pulumi.Output<string>;
  public readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("thumbnails:monitoring:Monitoring", name, {}, opts);

    // Every alarm name starts with this; the alarm topic trusts alarms with this prefix only.
    const alarmNamePrefix = physicalName(args.project, args.environment, "");

    this.alarmTopic = new AlarmTopic(
      `${name}-topic`,
      {
        topicName: physicalName(args.project, args.environment, MonitoringPurpose.alarmTopic),
        alarmNamePrefix,
        accountId: args.accountId,
        region: args.region,
        partition: args.partition,
        alarmEmail: args.alarmEmail,
        tags: args.tags,
      },
      { parent: this },
    );

    this.alarms = new Alarms(
      `${name}-alarms`,
      {
        alarmNamePrefix,
        environment: args.environment,
        functionName: args.functionName,
        functionTimeoutSeconds: args.functionTimeoutSeconds,
        deadLetterQueueName: args.deadLetterQueueName,
        topicArn: this.alarmTopic.topicArn,
        failedImagesThreshold: args.failedImagesAlarmThreshold,
        idleAlarmHours: args.idleAlarmHours,
        tags: args.tags,
      },
      { parent: this },
    );

    this.dashboard = new Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: physicalName(args.project, args.environment, MonitoringPurpose.dashboard),
        region: args.region,
        environment: args.environment,
        functionName: args.functionName,
        logGroupName: args.logGroupName,
        deadLetterQueueName: args.deadLetterQueueName,
        functionTimeoutSeconds: args.functionTimeoutSeconds,
        distributionId: args.distributionId,
        alarmArns: this.alarms.alarmArns,
        tags: args.tags,
      },
      { parent: this },
    );

    this.alarmTopicArn = this.alarmTopic.topicArn;
    this.alarmNames = this.alarms.alarmNames;
    this.dashboardName = this.dashboard.dashboardName;
    this.dashboardUrl = this.dashboard.dashboardUrl;
    this.registerOutputs({
      alarmTopicArn: this.alarmTopicArn,
      alarmNames: this.alarmNames,
      dashboardName: this.dashboardName,
      dashboardUrl: this.dashboardUrl,
    });
  }
}
