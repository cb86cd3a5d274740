/**
 * The stack's outputs. Other programs read the contract ones through StackReference (or
 * `pulumi stack output`), so their names never change; the operator ones are for people and
 * the dashboard. index.ts exports exactly these (tests/infra/stack.spec.ts), docs/deploy.md
 * documents the contract ones (tests/infra/docs.spec.ts), and the operator commands read them
 * by these names.
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
  "thumbnailBaseUrl",
] as const;

export const OPERATOR_OUTPUTS = ["alarmTopicArn", "dashboardName", "dashboardUrl"] as const;

export type StackOutputName = (typeof CONTRACT_OUTPUTS)[number] | (typeof OPERATOR_OUTPUTS)[number];
