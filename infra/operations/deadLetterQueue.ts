/**
 * Where an upload event goes when the function could not finish it (after Lambda's retries of
 * the asynchronous invocation, or when the event grew too old): an SQS queue, encrypted, that
 * keeps messages as long as SQS allows so an operator can redrive them after a fix.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws_native from "@pulumi/aws-native";
import { denyInsecureTransport } from "../denyInsecureTransport";

/** SQS's maximum retention: two weeks to notice, fix and redrive. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 60 * 60;

export interface DeadLetterQueueArgs {
  /** Physical name; create-only. */
  queueName: pulumi.Input<string>;
  tags: aws_native.types.input.TagArgs[];
}

export class DeadLetterQueue extends pulumi.ComponentResource {
  public readonly queue: aws_native.sqs.Queue;
  public readonly policy: aws_native.sqs.QueueInlinePolicy;
  public readonly queueName: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: DeadLetterQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("thumbnails:operations:DeadLetterQueue", name, {}, opts);

    this.queue = new aws_native.sqs.Queue(
      `${name}-queue`,
      {
        queueName: args.queueName,
        messageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS,
        // SSE-SQS: encrypted at rest with no KMS key to manage and no KMS charges, and Lambda
        // needs no kms permissions to send to it.
        sqsManagedSseEnabled: true,
        tags: args.tags,
      },
      { parent: this },
    );

    this.queueName = this.queue.queueName.apply((n) => n as string);
    this.arn = this.queue.arn;
    this.url = this.queue.queueUrl;

    // The queue holds upload events (bucket and key names): never over plain HTTP. Senders and
    // readers are granted through their own IAM policies, so this policy only denies.
    this.policy = new aws_native.sqs.QueueInlinePolicy(
      `${name}-policy`,
      {
        queue: this.url,
        policyDocument: {
          Version: "2012-10-17",
          Statement: [denyInsecureTransport("sqs:*", this.arn)],
        },
      },
      { parent: this },
    );
    this.registerOutputs({ queueName: this.queueName, arn: this.arn, url: this.url });
  }
}
