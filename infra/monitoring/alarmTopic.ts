/**
 * The SNS topic the stack's alarms notify, encrypted at rest, with an e-mail subscription when
 * the stack sets an alarm address.
 *
 * Why a customer-managed KMS key and not the AWS-managed alias/aws/sns: CloudWatch must be
 * allowed kms:GenerateDataKey* and kms:Decrypt on the topic's key to publish to it, and the
 * key policy of an AWS-managed key cannot be changed. A topic encrypted with alias/aws/sns
 * deploys cleanly and then silently receives no alarm notifications at all. The key costs
 * about $1 a month; KMS requests happen only when an alarm changes state.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws_native from "@pulumi/aws-native";
import { denyInsecureTransport } from "../denyInsecureTransport";

export interface AlarmTopicArgs {
  /** Physical name of the topic. */
  topicName: pulumi.Input<string>;
  /**
   * Every alarm allowed to publish has a name starting with this prefix; it scopes
   * CloudWatch's rights on the key and the topic (aws:SourceArn) to this stack's alarms.
   */
  alarmNamePrefix: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** AWS partition ("aws", "aws-cn", "aws-us-gov"). */
  partition?: pulumi.Input<string>;
  /**
   * Address that receives alarm notifications; no subscription when unset or empty. A plain
   * string: whether the subscription exists must be known when the program runs.
   */
  alarmEmail?: string;
  tags?: pulumi.Input<pulumi.Input<aws_native.types.input.TagArgs>[]>;
}

/** The notification actions CloudWatch alarms may take on this topic. */
const CLOUDWATCH_KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"];

export class AlarmTopic extends pulumi.ComponentResource {
  public readonly key: aws_native.kms.Key;
  public readonly topic: aws_native.sns.Topic;
  public readonly topicPolicy: aws_native.sns.TopicPolicy;
  public readonly emailSubscription?: aws_native.sns.Subscription;
  public readonly topicArn: pulumi.Output<string>;
  public readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: AlarmTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("thumbnails:monitoring:AlarmTopic", name, {}, opts);

    const partition = args.partition ?? "aws";
    const alarmSourceArn = pulumi.interpolate`arn:${partition}:cloudwatch:${args.region}:${args.accountId}:alarm:${args.alarmNamePrefix}*`;
    const fromThisStacksAlarms = {
      StringEquals: { "aws:SourceAccount": args.accountId },
      ArnLike: { "aws:SourceArn": alarmSourceArn },
    };

    this.key = new aws_native.kms.Key(
      `${name}-key`,
      {
        description: pulumi.interpolate`Encrypts the alarm topic ${args.topicName}`,
        enableKeyRotation: true,
        keyPolicy: {
          Version: "2012-10-17",
          Statement: [
            {
              // The default key policy: the account administers the key through IAM. A key
              // policy only ever applies to its own key, so KMS accepts only "*" as Resource;
              // without this statement the key could become unmanageable.
              Sid: "AccountAdministersKeyThroughIam",
              Effect: "Allow",
              Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${args.accountId}:root` },
              Action: "kms:*",
              Resource: "*",
            },
            {
              Sid: "CloudWatchAlarmsOfThisStackEncryptNotifications",
              Effect: "Allow",
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: CLOUDWATCH_KMS_ACTIONS,
              Resource: "*",
              Condition: fromThisStacksAlarms,
            },
          ],
        },
        tags: args.tags,
      },
      { parent: this },
    );

    this.topic = new aws_native.sns.Topic(
      `${name}-topic`,
      {
        topicName: args.topicName,
        displayName: "Thumbnail pipeline alarms",
        kmsMasterKeyId: this.key.arn,
        tags: args.tags,
      },
      { parent: this },
    );

    this.topicPolicy = new aws_native.sns.TopicPolicy(
      `${name}-policy`,
      {
        topics: [this.topic.topicArn],
        policyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "CloudWatchAlarmsOfThisStackPublish",
              Effect: "Allow",
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: "sns:Publish",
              Resource: this.topic.topicArn,
              Condition: fromThisStacksAlarms,
            },
            denyInsecureTransport("sns:Publish", this.topic.topicArn),
          ],
        },
      },
      { parent: this },
    );

    // SNS sends a confirmation mail; nothing is delivered until the recipient confirms.
    const email = args.alarmEmail?.trim();
    if (email) {
      this.emailSubscription = new aws_native.sns.Subscription(
        `${name}-email`,
        { topicArn: this.topic.topicArn, protocol: "email", endpoint: email },
        { parent: this },
      );
    }

    this.topicArn = this.topic.topicArn;
    this.keyArn = this.key.arn;
    this.registerOutputs({ topicArn: this.topicArn, keyArn: this.keyArn });
  }
}
