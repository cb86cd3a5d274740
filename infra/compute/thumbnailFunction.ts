/**
 * The thumbnailer: its log group, its least-privilege execution role and the wait for that role
 * to propagate (roleReadiness.ts), its code (the bundle function/build.ts produces, uploaded to
 * the artifact bucket under a content-addressed key, codeArtifact.ts), the aws-native Lambda
 * function, and the configuration of its asynchronous invocations (retries, maximum event age,
 * on-failure destination).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as aws_native from "@pulumi/aws-native";
import { FUNCTION_ARCHITECTURE, FUNCTION_HANDLER, FUNCTION_RUNTIME } from "../../contract/runtime";
import { functionEnvironment } from "./functionEnvironment";
import type { Rendition } from "../../contract/renditions";
import { FunctionPermissions } from "../../contract/permissions";
import { Table } from "../../contract/table";
import type { LogLevel } from "../config";
import { bucketArn, functionLogGroupName } from "../naming";
import { bundleSha256, codeObjectKey, directoryFiles } from "./codeArtifact";
import { RoleReadiness } from "./roleReadiness";

/**
 * INFO, not WARN: Lambda sends its per-invocation `platform.report` record (status, duration,
 * memory) at INFO, and the dashboard's failures query finds timeouts and crashes by it
 * (dashboard.ts, PlatformReportFields). It costs two short platform lines an invocation
 * (start and report, well under 1 KB): about 0.6 GB of log ingestion a day at 1,000,000 uploads.
 */
export const FUNCTION_SYSTEM_LOG_LEVEL = "INFO";

export interface ThumbnailFunctionArgs {
  /** Physical name; create-only. The log group's name derives from it. */
  functionName: string;
  environment: string;
  partition: pulumi.Input<string>;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** Directory holding the built bundle (function/build.ts); zipped as the code archive. */
  codeDirectory: string;
  artifactBucketName: pulumi.Input<string>;
  sourceBucketName: pulumi.Input<string>;
  thumbnailBucketName: pulumi.Input<string>;
  tableName: pulumi.Input<string>;
  tableArn: pulumi.Input<string>;
  deadLetterQueueArn: pulumi.Input<string>;
  thumbnailSizes: number[];
  renditions?: Rendition[];
  jpegQuality: number;
  webpQuality: number;
  keepReplacedThumbnails: boolean;
  maxObjectBytes: number;
  maxImagePixels: number;
  memoryMb: number;
  timeoutSeconds: number;
  logRetentionDays: number;
  logLevel: LogLevel;
  /** 0 = no reservation. */
  reservedConcurrency: number;
  asyncMaxRetryAttempts: number;
  asyncMaxEventAgeSeconds: number;
  /** List shape (aws-native), and map shape for the classic code object (S3 objects take at most 10 tags). */
  tags: aws_native.types.input.TagArgs[];
  tagMap: Record<string, string>;
}

export class ThumbnailFunction extends pulumi.ComponentResource {
  public readonly logGroup: aws_native.logs.LogGroup;
  public readonly role: aws_native.iam.Role;
  /** Lambda checks the role at create time: the function and invoke config wait for this. */
  public readonly roleReady: RoleReadiness;
  public readonly code: aws.s3.BucketObjectv2;
  public readonly function: aws_native.lambda.Function;
  public readonly asyncInvokeConfig: aws_native.lambda.EventInvokeConfig;
  public readonly functionName: pulumi.Output<string>;
  public readonly functionArn: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: ThumbnailFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("thumbnails:compute:ThumbnailFunction", name, {}, opts);
    const logGroupName = functionLogGroupName(args.functionName);

    // Created here rather than by Lambda on first write, so retention and tags apply and the
    // role can be scoped to it.
    this.logGroup = new aws_native.logs.LogGroup(
      `${name}-logs`,
      { logGroupName, retentionInDays: args.logRetentionDays, tags: args.tags },
      { parent: this },
    );

    this.role = new aws_native.iam.Role(
      `${name}-role`,
      {
        description: `Execution role of ${args.functionName}`,
        assumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        },
        policies: [{ policyName: "thumbnailer", policyDocument: executionPolicy(args, logGroupName) }],
        tags: args.tags,
      },
      { parent: this },
    );

    this.roleReady = new RoleReadiness(`${name}-role-ready`, { roleArn: this.role.arn, policies: this.role.policies }, { parent: this });

    // Classic provider: aws-native's lambda.Function `code` takes S3 coordinates, not a Pulumi
    // archive, so the bundle goes to the artifact bucket through aws.s3.BucketObjectv2, under a
    // key named by its content (no reliance on the bucket's versioning; see codeArtifact.ts).
    this.code = new aws.s3.BucketObjectv2(
      `${name}-code`,
      {
        bucket: args.artifactBucketName,
        key: codeObjectKey(args.functionName, bundleSha256(directoryFiles(args.codeDirectory))),
        source: new pulumi.asset.FileArchive(args.codeDirectory),
        contentType: "application/zip",
        tags: args.tagMap,
      },
      { parent: this },
    );

    const variables = functionEnvironment<pulumi.Input<string>>({ ...args, functionTimeoutSeconds: args.timeoutSeconds });

    this.function = new aws_native.lambda.Function(
      `${name}-function`,
      {
        functionName: args.functionName,
        description: `Writes thumbnails and metadata for uploads to ${args.environment}`,
        runtime: FUNCTION_RUNTIME,
        handler: FUNCTION_HANDLER,
        // Graviton: 20% cheaper per GB-second than x86 for the same CPU-bound work.
        architectures: [FUNCTION_ARCHITECTURE],
        memorySize: args.memoryMb,
        timeout: args.timeoutSeconds,
        role: this.role.arn,
        code: {
          // The code object's own bucket and key: `npm run synth` turns both into the template's
          // code parameters (CloudFormation cannot upload the object). A new bundle is a new key,
          // and a new key redeploys the function.
          s3Bucket: this.code.bucket,
          s3Key: this.code.key,
        },
        environment: { variables },
        loggingConfig: {
          logFormat: "JSON",
          logGroup: this.logGroup.logGroupName.apply((n) => n as string),
          // Never above INFO: Lambda counts a JSON line without a "level" as INFO, and the
          // metrics (Powertools EMF lines) have none, so WARN or ERROR here would drop every
          // custom metric: ImagesFailed could never alarm and the dashboard would go blank.
          applicationLogLevel: args.logLevel === "DEBUG" ? "DEBUG" : "INFO",
          systemLogLevel: FUNCTION_SYSTEM_LOG_LEVEL,
        },
        reservedConcurrentExecutions: args.reservedConcurrency > 0 ? args.reservedConcurrency : undefined,
        // The function writes to a different bucket, but a misconfigured notification could
        // still loop; Lambda stops recursive loops it detects.
        recursiveLoop: "Terminate",
        tags: args.tags,
      },
      { parent: this, dependsOn: [this.roleReady] },
    );

    this.functionName = this.function.functionName.apply((n) => n as string);
    this.functionArn = this.function.arn;
    this.logGroupName = this.logGroup.logGroupName.apply((n) => n as string);
    this.roleArn = this.role.arn;

    // S3 invokes asynchronously: Lambda retries, then hands the event to the dead-letter
    // queue, so no upload is lost without a trace.
    this.asyncInvokeConfig = new aws_native.lambda.EventInvokeConfig(
      `${name}-async`,
      {
        functionName: this.functionName,
        qualifier: "$LATEST",
        maximumRetryAttempts: args.asyncMaxRetryAttempts,
        maximumEventAgeInSeconds: args.asyncMaxEventAgeSeconds,
        destinationConfig: { onFailure: { destination: args.deadLetterQueueArn } },
      },
      // Lambda checks here that the role may send to the destination queue.
      { parent: this, dependsOn: [this.roleReady] },
    );

    this.registerOutputs({
      functionName: this.functionName,
      functionArn: this.functionArn,
      logGroupName: this.logGroupName,
      roleArn: this.roleArn,
    });
  }
}

/**
 * Exactly the actions of FunctionPermissions, each on exactly its resource: nothing else, no
 * wildcard action, and no wildcard resource beyond "objects of this bucket" and "streams of
 * this log group".
 */
function executionPolicy(args: ThumbnailFunctionArgs, logGroupName: string) {
  const source = pulumi.all([args.partition, args.sourceBucketName]).apply(([p, n]) => bucketArn(p, n));
  const thumbnails = pulumi.all([args.partition, args.thumbnailBucketName]).apply(([p, n]) => bucketArn(p, n));
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadUploads", Effect: "Allow", Action: [...FunctionPermissions.sourceObjects], Resource: pulumi.interpolate`${source}/*` },
      { Sid: "TellMissingFromForbidden", Effect: "Allow", Action: [...FunctionPermissions.sourceBucket], Resource: source },
      {
        Sid: "WriteThumbnails",
        Effect: "Allow",
        Action: [...FunctionPermissions.thumbnailObjects],
        Resource: pulumi.interpolate`${thumbnails}/*`,
      },
      { Sid: "FindEarlierThumbnails", Effect: "Allow", Action: [...FunctionPermissions.thumbnailBucket], Resource: thumbnails },
      { Sid: "RecordMetadata", Effect: "Allow", Action: [...FunctionPermissions.metadataTable], Resource: args.tableArn },
      {
        Sid: "FindUploadsOfKey",
        Effect: "Allow",
        Action: [...FunctionPermissions.bySourceKeyIndex],
        Resource: pulumi.interpolate`${args.tableArn}/index/${Table.bySourceKey.indexName}`,
      },
      {
        Sid: "DeadLetterFailedEvents",
        Effect: "Allow",
        Action: [...FunctionPermissions.deadLetterQueue],
        Resource: args.deadLetterQueueArn,
      },
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: [...FunctionPermissions.logGroup],
        // The log streams of this one log group (Lambda names streams itself).
        Resource: pulumi.interpolate`arn:${args.partition}:logs:${args.region}:${args.accountId}:log-group:${logGroupName}:*`,
      },
    ],
  };
}
