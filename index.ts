/**
 * The Pulumi program: read the stack's config, build the function bundle, declare the pipeline,
 * export its outputs. The output names are a contract with other programs (README, "Outputs").
 */
import * as pulumi from "@pulumi/pulumi";
import { buildFunctionSync } from "./function/build";
import { loadConfig } from "./infra/config";
import { ThumbnailPipeline } from "./infra/pipeline";

const config = loadConfig();
// THUMBNAILS_FUNCTION_OUT_DIR lets a test harness build into a private directory.
const code = buildFunctionSync({ outDir: process.env.THUMBNAILS_FUNCTION_OUT_DIR || undefined });

const pipeline = new ThumbnailPipeline(pulumi.getProject(), {
  project: pulumi.getProject(),
  stack: pulumi.getStack(),
  config,
  functionCodeDirectory: code.directory,
});

export const sourceBucketName = pipeline.sourceBucketName;
export const thumbnailBucketName = pipeline.thumbnailBucketName;
export const metadataTableName = pipeline.metadataTableName;
export const thumbnailFunctionArn = pipeline.functionArn;
export const thumbnailFunctionName = pipeline.functionName;
export const logGroupName = pipeline.logGroupName;
export const region = pipeline.region;
export const deadLetterQueueUrl = pipeline.deadLetterQueueUrl;
export const deadLetterQueueArn = pipeline.deadLetterQueueArn;
export const thumbnailBaseUrl = pipeline.thumbnailBaseUrl;
export const alarmTopicArn = pipeline.monitoring.alarmTopicArn;
export const dashboardName = pipeline.monitoring.dashboardName;
export const dashboardUrl = pipeline.monitoring.dashboardUrl;
