/**
 * The resource-policy statement that refuses every request made without TLS. Buckets, the
 * dead-letter queue and the alarm topic all carry it; one definition keeps them identical.
 */
import * as pulumi from "@pulumi/pulumi";

export function denyInsecureTransport(
  /** The actions to refuse; for S3 and SQS every action (`s3:*`), since a narrower list would leave the rest reachable over plain HTTP. */
  actions: string | string[],
  resources: pulumi.Input<string> | pulumi.Input<string>[],
) {
  return {
    Sid: "DenyRequestsWithoutTls",
    Effect: "Deny",
    // A deny for every caller: AWS accepts only "*" to mean "any principal".
    Principal: "*",
    Action: actions,
    Resource: resources,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
