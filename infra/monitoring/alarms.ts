/**
 * The stack's CloudWatch alarms. Each notifies the alarm topic when it fires and when it
 * recovers, and treats missing data deliberately (see each definition). The custom-metric
 * alarms take namespace, metric names and dimensions from the function's metrics contract,
 * the same module the function emits them with: a mismatch would be an alarm that never fires.
 *
 * README section "Operating it" says what each alarm means and what to do.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws_native from "@pulumi/aws-native";
import { METRICS_NAMESPACE, MetricName, STANDARD_DIMENSIONS, standardDimensionValues } from "../../contract/metrics";
import { MAX_IDLE_ALARM_HOURS } from "./alarmLimits";

/** The suffix of each alarm's name (after the stack's prefix); also the alarms' keys. */
export const AlarmPurpose = {
  FunctionErrors: "function-errors",
  FunctionThrottles: "function-throttles",
  FunctionDurationNearTimeout: "function-duration-near-timeout",
  FailedEventsNotDeadLettered: "failed-events-not-dead-lettered",
  DeadLetterQueueNotEmpty: "dead-letter-queue-not-empty",
  ImagesFailed: "images-failed",
  NoImagesProcessed: "no-images-processed",
} as const;
export type AlarmPurpose = (typeof AlarmPurpose)[keyof typeof AlarmPurpose];

/** Alarm thresholds that are not stack config, with the reason for each value. */
export const AlarmDefaults = {
  /** Lambda publishes at 1-minute resolution; 5-minute periods smooth single blips. */
  periodSeconds: 300,
  /** Duration p95 alarms above this fraction of the function's timeout. */
  durationFractionOfTimeout: 0.8,
  /** At most 7 days of hourly periods (alarmLimits.ts). */
  maxIdleAlarmHours: MAX_IDLE_ALARM_HOURS,
} as const;

export interface AlarmsArgs {
  /** Every alarm's name is `<alarmNamePrefix><purpose>`; the alarm topic trusts this prefix. */
  alarmNamePrefix: string;
  /** dev | staging | prod: the Environment dimension of the function's metrics. */
  environment: string;
  functionName: pulumi.Input<string>;
  functionTimeoutSeconds: number;
  deadLetterQueueName: pulumi.Input<string>;
  /** Topic notified on ALARM and on OK. */
  topicArn: pulumi.Input<string>;
  /** ImagesFailed per 5 minutes above which to alarm (stack config failedImagesAlarmThreshold). */
  failedImagesThreshold: number;
  /** Alarm when the function ran in each of this many hours and processed nothing; unset or 0: no such alarm. */
  idleAlarmHours?: number;
  tags?: pulumi.Input<pulumi.Input<aws_native.types.input.TagArgs>[]>;
}

type AlarmDefinition = Omit<aws_native.cloudwatch.AlarmArgs, "alarmName" | "alarmActions" | "okActions" | "tags" | "actionsEnabled">;

export class Alarms extends pulumi.ComponentResource {
  /** The alarms by purpose; NoImagesProcessed only when idleAlarmHours is set. */
  public readonly alarms: Partial<Record<AlarmPurpose, aws_native.cloudwatch.Alarm>>;
  public readonly alarmNames: pulumi.Output<string[]>;
  public readonly alarmArns: pulumi.Output<string[]>;

  constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("thumbnails:monitoring:Alarms", name, {}, opts);

    const definitions = alarmDefinitions(args);
    this.alarms = {};
    for (const [purpose, definition] of Object.entries(definitions) as [AlarmPurpose, AlarmDefinition][]) {
      this.alarms[purpose] = new aws_native.cloudwatch.Alarm(
        `${name}-${purpose}`,
        {
          ...definition,
          alarmName: `${args.alarmNamePrefix}${purpose}`,
          actionsEnabled: true,
          alarmActions: [args.topicArn],
          okActions: [args.topicArn],
          tags: args.tags,
        },
        { parent: this },
      );
    }

    const created: aws_native.cloudwatch.Alarm[] = Object.values(this.alarms);
    this.alarmNames = pulumi.all(created.map((a) => a.alarmName)).apply((names) => names.map((n) => n ?? ""));
    this.alarmArns = pulumi.all(created.map((a) => a.arn));
    this.registerOutputs({ alarmNames: this.alarmNames, alarmArns: this.alarmArns });
  }
}

/** Resolves defaults and rejects values CloudWatch would refuse, naming key, value and rule. */
function resolve(args: AlarmsArgs) {
  const failedImagesThreshold = args.failedImagesThreshold;
  if (!Number.isFinite(failedImagesThreshold) || failedImagesThreshold < 0) {
    throw new Error(`failedImagesAlarmThreshold: ${failedImagesThreshold} is not allowed; it must be a number >= 0`);
  }
  const idleAlarmHours = args.idleAlarmHours ?? 0;
  if (!Number.isInteger(idleAlarmHours) || idleAlarmHours < 0 || idleAlarmHours > AlarmDefaults.maxIdleAlarmHours) {
    throw new Error(
      `idleAlarmHours: ${idleAlarmHours} is not allowed; it must be a whole number of hours from 0 (no alarm) to ${AlarmDefaults.maxIdleAlarmHours} (CloudWatch evaluates at most 7 days)`,
    );
  }
  if (!Number.isInteger(args.functionTimeoutSeconds) || args.functionTimeoutSeconds < 1 || args.functionTimeoutSeconds > 900) {
    throw new Error(
      `functionTimeoutSeconds: ${args.functionTimeoutSeconds} is not allowed; Lambda timeouts are whole seconds from 1 to 900`,
    );
  }
  return { failedImagesThreshold, idleAlarmHours };
}

/**
 * The alarms of one stack, by purpose. Exported for tests and documentation; the component
 * adds names, actions and tags.
 */
export function alarmDefinitions(args: AlarmsArgs): Partial<Record<AlarmPurpose, AlarmDefinition>> {
  const { failedImagesThreshold, idleAlarmHours } = resolve(args);
  const period = AlarmDefaults.periodSeconds;
  const lambdaDimensions = [{ name: "FunctionName", value: args.functionName }];
  const dims = standardDimensionValues(args.environment);
  const customDimensions = STANDARD_DIMENSIONS.map((d) => ({ name: d, value: dims[d] }));

  const definitions: Partial<Record<AlarmPurpose, AlarmDefinition>> = {
    [AlarmPurpose.FunctionErrors]: {
      alarmDescription:
        "The thumbnail function threw in 2 of the last 3 five-minute periods (transient S3/DynamoDB failures or a bug). Lambda retries; what still fails goes to the dead-letter queue. See README 'Operating it'.",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: lambdaDimensions,
      statistic: "Sum",
      period,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      // No invocations means no errors.
      treatMissingData: "notBreaching",
    },
    [AlarmPurpose.FunctionThrottles]: {
      alarmDescription:
        "Invocations of the thumbnail function were throttled in 2 of the last 3 five-minute periods (reserved concurrency or the account limit reached). Lambda keeps retrying for up to the maximum event age; events older than that go to the dead-letter queue.",
      namespace: "AWS/Lambda",
      metricName: "Throttles",
      dimensions: lambdaDimensions,
      statistic: "Sum",
      period,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      treatMissingData: "notBreaching",
    },
    [AlarmPurpose.FunctionDurationNearTimeout]: {
      alarmDescription: `The thumbnail function's p95 duration exceeded ${AlarmDefaults.durationFractionOfTimeout * 100}% of its ${args.functionTimeoutSeconds} s timeout in 2 of the last 3 five-minute periods; larger images or slower dependencies will soon time out.`,
      namespace: "AWS/Lambda",
      metricName: "Duration",
      dimensions: lambdaDimensions,
      extendedStatistic: "p95",
      period,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: "GreaterThanThreshold",
      threshold: args.functionTimeoutSeconds * 1000 * AlarmDefaults.durationFractionOfTimeout,
      treatMissingData: "notBreaching",
      // At ~1,000 uploads a day a period holds a handful of invocations; evaluating them
      // anyway makes one slow image in two periods enough, which is the early warning wanted.
      evaluateLowSampleCountPercentile: "evaluate",
    },
    [AlarmPurpose.FailedEventsNotDeadLettered]: {
      alarmDescription:
        "Lambda could not deliver a failed event to the dead-letter queue: that upload is lost unless it is re-uploaded. Check the queue's policy, the role's sqs:SendMessage and the queue's existence.",
      namespace: "AWS/Lambda",
      metricName: "DestinationDeliveryFailures",
      dimensions: lambdaDimensions,
      statistic: "Sum",
      period,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      treatMissingData: "notBreaching",
    },
    [AlarmPurpose.DeadLetterQueueNotEmpty]: {
      alarmDescription:
        "Events the function could not process after its retries are waiting in the dead-letter queue. Fix the cause, then run `npm run redrive -- --stack <stack>`.",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: [{ name: "QueueName", value: args.deadLetterQueueName }],
      statistic: "Maximum",
      period,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      // SQS stops publishing metrics for a queue nobody touches for hours. "ignore" keeps
      // the alarm in ALARM through such gaps until a datapoint shows the queue empty.
      treatMissingData: "ignore",
    },
    [AlarmPurpose.ImagesFailed]: {
      alarmDescription: `More than ${failedImagesThreshold} uploads in 5 minutes ended FAILED (not an image, corrupt, too large, unsupported). They are recorded with a reason: run \`npm run failures -- --stack <stack>\`.`,
      namespace: METRICS_NAMESPACE,
      metricName: MetricName.ImagesFailed,
      dimensions: customDimensions,
      statistic: "Sum",
      period,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: failedImagesThreshold,
      // The function emits nothing when nothing failed.
      treatMissingData: "notBreaching",
    },
  };

  if (idleAlarmHours > 0) {
    // Not "nothing processed" alone: with missing data breaching, that alarm fires right after the
    // first deployment and on every quiet day. An hour breaches only when the function was invoked
    // (uploads arrived) and not one image was processed; an hour without invocations does not, so
    // quiet days stay OK. A broken S3 trigger (no invocations at all) is not seen here: the
    // runbook says how to check it (README, "Operating it").
    const hour = 3600;
    definitions[AlarmPurpose.NoImagesProcessed] = {
      alarmDescription: `In each of the last ${idleAlarmHours} hours the thumbnail function was invoked and not one upload was processed: every image fails, or the function fails before recording anything. Quiet hours (no uploads) never count.`,
      metrics: [
        {
          id: "invocations",
          metricStat: {
            metric: { namespace: "AWS/Lambda", metricName: "Invocations", dimensions: lambdaDimensions },
            period: hour,
            stat: "Sum",
          },
          returnData: false,
        },
        {
          id: "processed",
          metricStat: {
            metric: { namespace: METRICS_NAMESPACE, metricName: MetricName.ImagesProcessed, dimensions: customDimensions },
            period: hour,
            stat: "Sum",
          },
          returnData: false,
        },
        {
          id: "stalled",
          // Lambda publishes nothing for an hour without invocations; the function emits no
          // ImagesProcessed datapoint when it processed nothing: FILL makes both a 0.
          expression: "IF(FILL(invocations, 0) > 0 AND FILL(processed, 0) == 0, 1, 0)",
          label: "invoked, nothing processed",
          returnData: true,
        },
      ],
      evaluationPeriods: idleAlarmHours,
      datapointsToAlarm: idleAlarmHours,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      // No datapoint at all means no uploads: not a failure.
      treatMissingData: "notBreaching",
    };
  }
  return definitions;
}
