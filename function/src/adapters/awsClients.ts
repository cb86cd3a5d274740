/**
 * The function's AWS clients, created once per container. Socket timeouts are set because the
 * SDK's default is none: a stalled connection would hold the invocation until Lambda's timeout
 * and waste that whole duration; with them the SDK retries promptly and, if S3 or DynamoDB stays
 * unreachable, the failure is transient (Lambda retries, then the dead-letter queue).
 */
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";

export interface ClientTimeouts {
  /** Time to establish a TCP/TLS connection. */
  connectionTimeoutMs: number;
  /** Longest wait for a response, and longest silence on an open socket while a body streams. */
  requestTimeoutMs: number;
}

export const DEFAULT_CLIENT_TIMEOUTS: ClientTimeouts = { connectionTimeoutMs: 3_000, requestTimeoutMs: 15_000 };

export interface AwsClients {
  s3: S3Client;
  dynamo: DynamoDBClient;
}

export function createAwsClients(
  timeouts: ClientTimeouts = DEFAULT_CLIENT_TIMEOUTS,
  /** Extra settings (tests point the clients at local servers). */
  overrides: { s3?: S3ClientConfig; dynamo?: DynamoDBClientConfig } = {},
): AwsClients {
  const requestHandler = {
    connectionTimeout: timeouts.connectionTimeoutMs,
    // Current @smithy/node-http-handler: requestTimeout bounds the wait for a response but only
    // warns unless throwOnRequestTimeout; socketTimeout bounds silence on the socket. Older
    // releases (the Lambda runtime may ship one) read requestTimeout as the socket timeout.
    requestTimeout: timeouts.requestTimeoutMs,
    throwOnRequestTimeout: true,
    socketTimeout: timeouts.requestTimeoutMs,
  };
  return {
    s3: new S3Client({ requestHandler, ...overrides.s3 }),
    dynamo: new DynamoDBClient({ requestHandler, ...overrides.dynamo }),
  };
}
