/**
 * The output names other programs read through StackReference: the stack must export them
 * (tests/infra/stack.spec.ts) and docs/deploy.md must document them (tests/infra/docs.spec.ts).
 */
export const CONTRACT_OUTPUTS = [
  "sourceBucketName",
  "thumbnailBucketName",
  "metadataTableName",
  "thumbnailFunctionArn",
  "thumbnailFunctionName",
  "logGroupName",
  "region",
  "deadLetterQueueUrl",
  "deadLetterQueueArn",
];
