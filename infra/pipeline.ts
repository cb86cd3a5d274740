/**
 * The whole pipeline as one component: buckets, table, dead-letter queue, function, trigger and
 * monitoring (alarms, topic, dashboard), named and tagged by one convention from the stack's
 * config. Its public properties are what index.ts exports.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws_native from "@pulumi/aws-native";
import type { PipelineConfig } from "./config";
import { DeadLetterQueue } from "./operations/deadLetterQueue";
import { HardenedBucket } from "./storage/hardenedBucket";
import { MetadataTable } from "./storage/metadataTable";
import { Monitoring } from "./monitoring/monitoring";
import { physicalName, Purpose, stackBucketName } from "./naming";
import { StackTags } from "./tags";
import { ThumbnailFunction } from "./compute/thumbnailFunction";
import { UploadTrigger } from "./trigger/uploadTrigger";
import { cdnReadStatement, ThumbnailCdn } from "./serving/thumbnailCdn";

/** Artifacts are kept only for rollback; Lambda keeps its own copy of deployed code. */
const ARTIFACT_NONCURRENT_DAYS = 30;

export interface ThumbnailPipelineArgs {
  /** Pulumi project and stack names (naming and tags). */
  project: string;
  stack: string;
  config: PipelineConfig;
  /** The built function bundle's directory (function/build.ts). */
  functionCodeDirectory: string;
}

export class ThumbnailPipeline extends pulumi.ComponentResource {
  public readonly config: PipelineConfig;
  public readonly tags: StackTags;
  public readonly accountId: pulumi.Output<string>;
  public readonly region: pulumi.Output<string>;
  public readonly partition: pulumi.Output<string>;

  public readonly artifactBucket: HardenedBucket;
  public readonly thumbnailBucket: HardenedBucket;
  public readonly sourceBucket: HardenedBucket;
  public readonly metadataTable: MetadataTable;
  public readonly deadLetterQueue: DeadLetterQueue;
  public readonly thumbnailFunction: ThumbnailFunction;
  public readonly uploadTrigger: UploadTrigger;
  /** CloudFront in front of the thumbnail bucket, when config.cdn. */
  public readonly cdn?: ThumbnailCdn;
  /** Where a thumbnail key is served from: the distribution's URL, or the bucket's regional endpoint (private: signed requests only). */
  public readonly thumbnailBaseUrl: pulumi.Output<string>;

  public readonly sourceBucketName: pulumi.Output<string>;
  public readonly thumbnailBucketName: pulumi.Output<string>;
  public readonly artifactBucketName: pulumi.Output<string>;
  public readonly metadataTableName: pulumi.Output<string>;
  public readonly metadataTableArn: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;
  public readonly functionArn: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;
  /** The function's timeout (alarms compare duration with it). */
  public readonly timeoutSeconds: number;
  public readonly deadLetterQueueArn: pulumi.Output<string>;
  public readonly deadLetterQueueUrl: pulumi.Output<string>;
  public readonly deadLetterQueueName: pulumi.Output<string>;
  /** Alarm topic, alarms and dashboard (operations). */
  public readonly monitoring: Monitoring;

  constructor(name: string, args: ThumbnailPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("thumbnails:pipeline:ThumbnailPipeline", name, {}, opts);
    const { config, project, stack } = args;
    this.config = config;
    this.timeoutSeconds = config.functionTimeoutSeconds;
    this.tags = new StackTags({ project, environment: config.environment, extraTags: config.extraTags });
    const tags = this.tags.list;

    const invokeOpts = { parent: this };
    this.accountId = aws_native.getAccountIdOutput(invokeOpts).accountId;
    this.region = aws_native.getRegionOutput(invokeOpts).region;
    this.partition = aws_native.getPartitionOutput(invokeOpts).partition;

    const bucketName = (explicit: string | undefined, purpose: string): pulumi.Output<string> =>
      explicit !== undefined
        ? pulumi.output(explicit)
        : pulumi
            .all([this.accountId, this.region])
            .apply(([accountId, region]) => stackBucketName(explicit, { project, stack, purpose, accountId, region }));
    // Known before the bucket exists: the trigger's permission and the role are scoped to it.
    const sourceBucketName = bucketName(config.sourceBucketName, Purpose.sourceBucket);
    const artifactBucketName = bucketName(undefined, Purpose.artifactBucket);
    const named = (purpose: string) => physicalName(project, config.environment, purpose);
    if (config.environment === "prod" && (!config.protectData || !config.pointInTimeRecovery)) {
      void pulumi.log.warn(
        `environment "prod" without ${!config.protectData ? "protectData" : "pointInTimeRecovery"}: ` +
          "the buckets and table can be deleted or lose data with no way back",
        this,
      );
    }
    if (stack !== config.environment) {
      // Buckets are named after the stack, everything else after the environment.
      void pulumi.log.warn(
        `stack "${stack}" has environment "${config.environment}": function, table, queue and log group are named ` +
          `${named("…")}; a second stack of environment "${config.environment}" in the same account and region would collide with them`,
        this,
      );
    }

    this.artifactBucket = new HardenedBucket(
      `${name}-artifacts`,
      {
        bucketName: artifactBucketName,
        partition: this.partition,
        versioned: true,
        noncurrentVersionExpirationDays: ARTIFACT_NONCURRENT_DAYS,
        tags,
      },
      { parent: this },
    );
    this.artifactBucketName = this.artifactBucket.bucketName;

    const thumbnailBucketName = bucketName(config.thumbnailBucketName, Purpose.thumbnailBucket);
    const urlSuffix = aws_native.getUrlSuffixOutput(invokeOpts).urlSuffix;
    if (config.cdn) {
      this.cdn = new ThumbnailCdn(
        `${name}-cdn`,
        {
          bucketName: thumbnailBucketName,
          region: this.region,
          urlSuffix,
          partition: this.partition,
          accountId: this.accountId,
          name: named(Purpose.cdn),
          tags,
        },
        { parent: this },
      );
    }
    this.thumbnailBucket = new HardenedBucket(
      `${name}-thumbnails`,
      {
        bucketName: thumbnailBucketName,
        partition: this.partition,
        // Thumbnails can be regenerated from the sources: versions would only add cost.
        versioned: false,
        protectData: config.protectData,
        extraStatements: this.cdn
          ? [cdnReadStatement(pulumi.interpolate`arn:${this.partition}:s3:::${thumbnailBucketName}/*`, this.cdn.distributionArn)]
          : [],
        tags,
      },
      { parent: this },
    );
    this.thumbnailBaseUrl = this.cdn ? this.cdn.baseUrl : pulumi.interpolate`https://${thumbnailBucketName}.s3.${this.region}.${urlSuffix}`;

    this.thumbnailBucketName = this.thumbnailBucket.bucketName;

    this.metadataTable = new MetadataTable(
      `${name}-metadata`,
      {
        tableName: named(Purpose.table),
        pointInTimeRecovery: config.pointInTimeRecovery,
        protectData: config.protectData,
        tags,
      },
      { parent: this },
    );
    this.metadataTableName = this.metadataTable.tableName;
    this.metadataTableArn = this.metadataTable.arn;

    this.deadLetterQueue = new DeadLetterQueue(`${name}-dlq`, { queueName: named(Purpose.deadLetterQueue), tags }, { parent: this });
    this.deadLetterQueueArn = this.deadLetterQueue.arn;
    this.deadLetterQueueUrl = this.deadLetterQueue.url;
    this.deadLetterQueueName = this.deadLetterQueue.queueName;

    this.thumbnailFunction = new ThumbnailFunction(
      `${name}-thumbnailer`,
      {
        functionName: named(Purpose.function),
        environment: config.environment,
        partition: this.partition,
        region: this.region,
        accountId: this.accountId,
        codeDirectory: args.functionCodeDirectory,
        artifactBucketName: this.artifactBucketName,
        // Names, not the bucket resource: the source bucket is created after the function.
        sourceBucketName,
        thumbnailBucketName: this.thumbnailBucketName,
        tableName: this.metadataTable.tableName,
        tableArn: this.metadataTable.arn,
        deadLetterQueueArn: this.deadLetterQueue.arn,
        thumbnailSizes: config.thumbnailSizes,
        renditions: config.renditions,
        jpegQuality: config.jpegQuality,
        webpQuality: config.webpQuality,
        keepReplacedThumbnails: config.keepReplacedThumbnails,
        maxObjectBytes: config.maxObjectBytes,
        maxImagePixels: config.maxImagePixels,
        memoryMb: config.functionMemoryMb,
        timeoutSeconds: config.functionTimeoutSeconds,
        logRetentionDays: config.logRetentionDays,
        logLevel: config.logLevel,
        reservedConcurrency: config.reservedConcurrency,
        asyncMaxRetryAttempts: config.asyncMaxRetryAttempts,
        asyncMaxEventAgeSeconds: config.asyncMaxEventAgeSeconds,
        tags,
        tagMap: this.tags.s3ObjectRecord,
      },
      { parent: this },
    );
    this.functionName = this.thumbnailFunction.functionName;
    this.functionArn = this.thumbnailFunction.functionArn;
    this.logGroupName = this.thumbnailFunction.logGroupName;

    this.uploadTrigger = new UploadTrigger(
      `${name}-trigger`,
      {
        sourceBucketName,
        partition: this.partition,
        accountId: this.accountId,
        functionArn: this.functionArn,
      },
      { parent: this },
    );

    this.sourceBucket = new HardenedBucket(
      `${name}-source`,
      {
        bucketName: sourceBucketName,
        partition: this.partition,
        versioned: config.sourceVersioning,
        noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays,
        transitionDays: config.sourceTransitionDays,
        transitionStorageClass: config.sourceTransitionStorageClass,
        notificationConfiguration: this.uploadTrigger.notificationConfiguration,
        // S3 tests the destination when the notification is set: the permission must exist.
        dependsOn: [this.uploadTrigger.permission],
        protectData: config.protectData,
        tags,
      },
      { parent: this },
    );

    this.sourceBucketName = this.sourceBucket.bucketName;

    this.monitoring = new Monitoring(
      `${name}-monitoring`,
      {
        project,
        environment: config.environment,
        accountId: this.accountId,
        region: this.region,
        partition: this.partition,
        functionName: this.functionName,
        functionTimeoutSeconds: config.functionTimeoutSeconds,
        logGroupName: this.logGroupName,
        deadLetterQueueName: this.deadLetterQueueName,
        distributionId: this.cdn?.distributionId,
        alarmEmail: config.alarmEmail,
        failedImagesAlarmThreshold: config.failedImagesAlarmThreshold,
        idleAlarmHours: config.idleAlarmHours,
        tags,
      },
      { parent: this },
    );

    this.registerOutputs({
      sourceBucketName: this.sourceBucketName,
      thumbnailBucketName: this.thumbnailBucketName,
      metadataTableName: this.metadataTableName,
      functionArn: this.functionArn,
      functionName: this.functionName,
      logGroupName: this.logGroupName,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      deadLetterQueueArn: this.deadLetterQueueArn,
      thumbnailBaseUrl: this.thumbnailBaseUrl,
      alarmTopicArn: this.monitoring.alarmTopicArn,
      dashboardName: this.monitoring.dashboardName,
      dashboardUrl: this.monitoring.dashboardUrl,
    });
  }
}
