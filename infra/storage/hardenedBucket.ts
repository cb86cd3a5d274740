/**
 * An S3 bucket with the hardening every bucket of this stack gets (source, thumbnails, function
 * code): all four public-access blocks, BucketOwnerEnforced ownership (no ACLs), SSE-S3 with a
 * bucket key, a policy that denies requests without TLS, and lifecycle rules that keep the bill
 * down (abort incomplete multipart uploads; expire noncurrent versions when versioned; an
 * optional transition to a cheaper storage class).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws_native from "@pulumi/aws-native";
import type { TransitionStorageClass } from "../config";
import { denyInsecureTransport } from "../denyInsecureTransport";

/** Abandoned multipart uploads are billed as storage until aborted. */
const ABORT_INCOMPLETE_MULTIPART_DAYS = 7;

export interface HardenedBucketArgs {
  /** Physical name; create-only (changing it replaces the bucket). */
  bucketName: pulumi.Input<string>;
  /** AWS partition, for the ARNs in the bucket policy. */
  partition: pulumi.Input<string>;
  versioned?: boolean;
  /** Days a noncurrent version is kept (only when versioned). */
  noncurrentVersionExpirationDays?: number;
  /** Move current objects to a cheaper class after this many days (0 or unset = never). */
  transitionDays?: number;
  transitionStorageClass?: TransitionStorageClass;
  /** Event notifications (the upload trigger). */
  notificationConfiguration?: pulumi.Input<aws_native.types.input.s3.BucketNotificationConfigurationArgs>;
  /**
   * Resources the bucket must be created after: S3 validates a notification's destination
   * when it is set, so the bucket waits for the function's invoke permission.
   */
  dependsOn?: pulumi.Resource[];
  /** Keep the bucket (and its objects) when the stack is destroyed, and refuse to delete it. */
  protectData?: boolean;
  /** Statements the bucket policy holds besides the TLS-only one (e.g. the CDN's read access). */
  extraStatements?: pulumi.Input<Record<string, unknown>>[];
  tags: aws_native.types.input.TagArgs[];
}

export class HardenedBucket extends pulumi.ComponentResource {
  public readonly bucket: aws_native.s3.Bucket;
  public readonly policy: aws_native.s3.BucketPolicy;
  public readonly bucketName: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: HardenedBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("thumbnails:storage:HardenedBucket", name, {}, opts);
    const a = withDefaults(args);

    const rules: aws_native.types.input.s3.BucketRuleArgs[] = [
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_MULTIPART_DAYS },
      },
    ];
    if (a.versioned) {
      rules.push({
        id: "expire-noncurrent-versions",
        status: "Enabled",
        noncurrentVersionExpiration: { noncurrentDays: a.noncurrentVersionExpirationDays },
        // Delete markers left alone after their versions expire cost requests on every listing.
        expiredObjectDeleteMarker: true,
      });
    }
    if (a.transitionDays > 0) {
      rules.push({
        id: "transition-current-versions",
        status: "Enabled",
        transitions: [{ storageClass: a.transitionStorageClass, transitionInDays: a.transitionDays }],
      });
    }

    const dataOpts: pulumi.CustomResourceOptions = a.protectData ? { protect: true, retainOnDelete: true } : {};

    this.bucket = new aws_native.s3.Bucket(
      `${name}-bucket`,
      {
        bucketName: a.bucketName,
        publicAccessBlockConfiguration: {
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        ownershipControls: { rules: [{ objectOwnership: "BucketOwnerEnforced" }] },
        bucketEncryption: {
          serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
        },
        versioningConfiguration: a.versioned ? { status: "Enabled" } : undefined,
        lifecycleConfiguration: { rules },
        notificationConfiguration: a.notificationConfiguration,
        tags: a.tags,
      },
      { parent: this, dependsOn: a.dependsOn, ...dataOpts },
    );

    this.bucketName = this.bucket.bucketName.apply((n) => n as string);
    this.arn = this.bucket.arn;
    const objectsArn = pulumi.interpolate`${this.arn}/*`;

    this.policy = new aws_native.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: this.bucketName,
        policyDocument: {
          Version: "2012-10-17",
          Statement: [denyInsecureTransport("s3:*", [this.arn, objectsArn]), ...(a.extraStatements ?? [])],
        },
      },
      { parent: this },
    );

    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}

function withDefaults(args: HardenedBucketArgs) {
  return {
    ...args,
    versioned: args.versioned ?? false,
    noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? 30,
    transitionDays: args.transitionDays ?? 0,
    transitionStorageClass: args.transitionStorageClass ?? "INTELLIGENT_TIERING",
    protectData: args.protectData ?? false,
    dependsOn: args.dependsOn ?? [],
  };
}
