/**
 * The trigger: S3 invokes the function for every object created in the source bucket, and for
 * every object removed from it (deletes and delete markers: docs/lifecycle.md).
 *
 * CloudFormation has no separate notification resource, and S3 checks that it may invoke the
 * function when the bucket's notification is set, while the permission would normally name the
 * bucket's ARN: a cycle. It is broken without loosening the permission: the bucket's name is
 * known before the bucket exists (config or naming.ts), so the permission's SourceArn is built
 * from it (with SourceAccount, since bucket ARNs carry no account), and the bucket is created
 * after the permission (the pipeline passes `permission` to the bucket's dependsOn).
 *
 * No suffix filter in S3, on purpose. S3 suffix filters are case-sensitive and one per rule,
 * so ".jpg" misses "IMG_0001.JPG" and ".jpeg", and a key without an extension never triggers:
 * such uploads would be dropped without any record. The function recognises formats by their
 * magic bytes instead, and records every object it cannot use as FAILED with a reason. An
 * invocation for a non-image costs $0.0000002 — cheaper than a silently lost upload.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws_native from "@pulumi/aws-native";
import { bucketArn } from "../naming";

/**
 * Every way an object comes into being (PUT, POST, COPY, completed multipart uploads) and
 * every way it goes (DELETE, and the delete marker a DELETE leaves in a versioned bucket).
 * Lifecycle expirations are removals too: S3 reports them as s3:LifecycleExpiration:*, which
 * this stack's own lifecycle rules only raise for noncurrent versions, never the current one.
 */
export const TRIGGER_EVENTS = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"] as const;

export interface UploadTriggerArgs {
  /** The source bucket's name, known before the bucket exists. */
  sourceBucketName: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  functionArn: pulumi.Input<string>;
}

export class UploadTrigger extends pulumi.ComponentResource {
  /** Every field is create-only: a change replaces the permission. */
  public readonly permission: aws_native.lambda.Permission;
  /** The source bucket's notificationConfiguration. */
  public readonly notificationConfiguration: pulumi.Output<aws_native.types.input.s3.BucketNotificationConfigurationArgs>;

  constructor(name: string, args: UploadTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("thumbnails:trigger:UploadTrigger", name, {}, opts);

    this.permission = new aws_native.lambda.Permission(
      `${name}-permission`,
      {
        action: "lambda:InvokeFunction",
        functionName: args.functionArn,
        principal: "s3.amazonaws.com",
        sourceArn: pulumi.all([args.partition, args.sourceBucketName]).apply(([p, n]) => bucketArn(p, n)),
        // A bucket ARN names no account: without this, a bucket of that name in another
        // account (after this one is deleted) could invoke the function.
        sourceAccount: args.accountId,
      },
      { parent: this },
    );

    this.notificationConfiguration = pulumi.output(args.functionArn).apply((functionArn) => ({
      lambdaConfigurations: TRIGGER_EVENTS.map((event) => ({ event, function: functionArn })),
    }));

    this.registerOutputs({ permissionId: this.permission.id });
  }
}
