/**
 * A real pipeline on loopback for the handler's integration tests: s3rver + dynalite (via
 * local/emulators.ts), the two buckets, the ImageMetadata table with its indexes, and S3
 * events shaped as real S3 sends them (keys URL-encoded, '+' for spaces).
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { CreateTableCommand, GetItemCommand, ScanCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { startEmulators, s3ClientFor, dynamoClientFor, type Emulators } from "../../../local/emulators";
import { metadataTableDefinition } from "../../../local/provision";
import { Table } from "../../../contract/table";
import { SERVICE_NAME } from "../../../contract/metrics";
import { createHandler, type Dependencies } from "../../../function/src/handler";
import { createMetrics, PipelineMetrics } from "../../../function/src/observability";
import { decodeS3EventKey, encodeS3EventKey } from "../../../contract/s3EventKey";
import { imageIdFor } from "../../../contract/imageId";
import { fromItem, type ImageRecord } from "../../../contract/record";
import { isSourceKeyState, sourceKeyStateId } from "../../../contract/sourceKeyState";
import type { FunctionConfig } from "../../../function/src/config";

export const SOURCE_BUCKET = "uploads-test";
export const THUMBNAIL_BUCKET = "thumbnails-test";
export const TABLE = "ImageMetadata-test";

export interface Fault {
  /** SDK command name, e.g. "PutObjectCommand". */
  command: string;
  /** How many calls fail before calls succeed again. */
  times: number;
  error?: () => Error;
  /**
   * Let the call reach the server, then lose its response (a network error the SDK retries by
   * itself): the write happened, and the SDK's retry is what the function sees.
   */
  loseResponse?: boolean;
}

export class Pipeline {
  private faults: Fault[] = [];
  private sequence = 0x1000;
  readonly handlerS3: S3Client;
  readonly handlerDynamo: DynamoDBClient;
  readonly emf: Record<string, unknown>[] = [];
  /** Every SDK command the handler's clients sent, with its input. */
  readonly calls: { command: string; input: Record<string, unknown> }[] = [];

  private constructor(
    readonly emulators: Emulators,
    readonly config: FunctionConfig,
  ) {
    this.handlerS3 = s3ClientFor(emulators.s3Endpoint);
    this.handlerDynamo = dynamoClientFor(emulators.dynamoEndpoint);
    for (const client of [this.handlerS3, this.handlerDynamo] as { middlewareStack: S3Client["middlewareStack"] }[]) {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          this.calls.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
          const fault = this.faults.find((f) => f.command === context.commandName && f.times > 0 && !f.loseResponse);
          if (fault) {
            fault.times -= 1;
            throw fault.error
              ? fault.error()
              : Object.assign(new Error(`injected ${context.commandName} failure`), {
                  name: "ServiceUnavailable",
                  $metadata: { httpStatusCode: 503 },
                });
          }
          return next(args);
        },
        { step: "initialize", name: "faultInjection" },
      );
      // Inside the SDK's retry loop (retries live in finalizeRequest), so a lost response is
      // retried by the SDK, as a real timeout or reset connection would be.
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const fault = this.faults.find((f) => f.command === context.commandName && f.times > 0 && f.loseResponse);
          const result = await next(args);
          if (fault) {
            fault.times -= 1;
            throw Object.assign(new Error(`injected: the response to ${context.commandName} was lost`), {
              name: "TimeoutError",
              code: "ECONNRESET",
            });
          }
          return result;
        },
        { step: "deserialize", name: "lostResponseInjection" },
      );
    }
  }

  static async start(overrides: Partial<FunctionConfig> = {}): Promise<Pipeline> {
    const emulators = await startEmulators();
    try {
      await emulators.s3.send(new CreateBucketCommand({ Bucket: SOURCE_BUCKET }));
      await emulators.s3.send(new CreateBucketCommand({ Bucket: THUMBNAIL_BUCKET }));
      await emulators.dynamo.send(new CreateTableCommand(metadataTableDefinition(TABLE)));
    } catch (err) {
      await emulators.close();
      throw err;
    }
    const config: FunctionConfig = {
      environment: "test",
      sourceBucket: SOURCE_BUCKET,
      thumbnailBucket: THUMBNAIL_BUCKET,
      metadataTable: TABLE,
      thumbnailSizes: [256],
      jpegQuality: 80,
      maxObjectBytes: 5 * 1024 * 1024,
      maxImagePixels: 50_000_000,
      ...overrides,
    };
    return new Pipeline(emulators, config);
  }

  /** Fails the next `times` calls of an SDK command made by the handler's clients. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  dependencies(config: Partial<FunctionConfig> = {}, overrides: Partial<Omit<Dependencies, "config">> = {}): Dependencies {
    return {
      config: { ...this.config, ...config },
      s3: this.handlerS3,
      dynamo: this.handlerDynamo,
      logger: new Logger({ serviceName: SERVICE_NAME, logLevel: "SILENT" }),
      metrics: new PipelineMetrics(createMetrics(this.config.environment)),
      ...overrides,
    };
  }

  /** Runs the real handler; captures the EMF lines it prints. */
  async invoke(
    event: unknown,
    config: Partial<FunctionConfig> = {},
    overrides: Partial<Omit<Dependencies, "config">> = {},
    context: { getRemainingTimeInMillis?: () => number } = {},
  ) {
    const handle = createHandler(this.dependencies(config, overrides));
    const write = process.stdout.write.bind(process.stdout);
    const captured: string[] = [];
    process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      if (text.includes('"_aws"')) {
        captured.push(text);
        return true;
      }
      return write(chunk, ...(rest as []));
    };
    try {
      return await handle(event, { awsRequestId: `test-${++this.sequence}`, ...context });
    } finally {
      process.stdout.write = write;
      for (const text of captured) for (const line of text.split("\n").filter(Boolean)) this.emf.push(JSON.parse(line));
    }
  }

  /** Uploads an object and returns the S3 event record real S3 would send for it. */
  async upload(key: string, body: Uint8Array, contentType = "application/octet-stream") {
    const response = await this.emulators.s3.send(
      new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key, Body: body, ContentType: contentType }),
    );
    return this.eventRecord(key, body.length, (response.ETag ?? "").replace(/"/g, ""));
  }

  /** Deletes the source object and returns the ObjectRemoved record real S3 would send (sequencer later than every event before). */
  async remove(key: string, options: { eventName?: string; versionId?: string; keepObject?: boolean } = {}) {
    if (!options.keepObject) await this.emulators.s3.send(new DeleteObjectCommand({ Bucket: SOURCE_BUCKET, Key: key }));
    const record = this.eventRecord(key, 0, "", { versionId: options.versionId });
    return { ...record, eventName: options.eventName ?? "ObjectRemoved:Delete" };
  }

  /** An S3 ObjectCreated record as real S3 shapes it (key URL-encoded, sequencer increasing per call). */
  eventRecord(
    key: string,
    size: number,
    eTag: string,
    options: { bucket?: string; sequencer?: string; eventTime?: string; versionId?: string } = {},
  ) {
    this.sequence += 1;
    return {
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: this.emulators.region,
      eventTime: options.eventTime ?? new Date(Date.UTC(2026, 0, 1, 0, 0, 0, this.sequence)).toISOString(),
      eventName: "ObjectCreated:Put",
      userIdentity: { principalId: "AWS:TEST" },
      requestParameters: { sourceIPAddress: "127.0.0.1" },
      responseElements: { "x-amz-request-id": "TEST", "x-amz-id-2": "TEST" },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "thumbnails",
        bucket: {
          name: options.bucket ?? SOURCE_BUCKET,
          ownerIdentity: { principalId: "TEST" },
          arn: `arn:aws:s3:::${options.bucket ?? SOURCE_BUCKET}`,
        },
        object: {
          key: encodeS3EventKey(key),
          size,
          eTag,
          sequencer: options.sequencer ?? `00${this.sequence.toString(16).toUpperCase().padStart(14, "0")}`,
          ...(options.versionId ? { versionId: options.versionId } : {}),
        },
      },
    };
  }

  async record(imageId: string): Promise<ImageRecord | undefined> {
    const response = await this.emulators.dynamo.send(
      new GetItemCommand({ TableName: TABLE, Key: { [Table.partitionKey]: { S: imageId } } }),
    );
    return response.Item ? fromItem(response.Item) : undefined;
  }

  /** Every upload record in the table (not the per-key state items). */
  async records(): Promise<ImageRecord[]> {
    const response = await this.emulators.dynamo.send(new ScanCommand({ TableName: TABLE }));
    return (response.Items ?? []).filter((item) => !isSourceKeyState(item)).map(fromItem);
  }

  /** The key's state item (contract/sourceKeyState.ts), unmarshalled. */
  async keyState(key: string): Promise<Record<string, string | string[]> | undefined> {
    const response = await this.emulators.dynamo.send(
      new GetItemCommand({ TableName: TABLE, Key: { [Table.partitionKey]: { S: sourceKeyStateId(SOURCE_BUCKET, key) } } }),
    );
    if (!response.Item) return undefined;
    return Object.fromEntries(Object.entries(response.Item).map(([name, value]) => [name, value.S ?? value.SS ?? ""]));
  }

  async thumbnail(key: string) {
    const response = await this.emulators.s3.send(new GetObjectCommand({ Bucket: THUMBNAIL_BUCKET, Key: key }));
    return {
      bytes: Buffer.from(await response.Body!.transformToByteArray()),
      contentType: response.ContentType,
      cacheControl: response.CacheControl,
      metadata: response.Metadata ?? {},
    };
  }

  /** Every object key in the thumbnail bucket. */
  async thumbnailKeys(): Promise<string[]> {
    const response = await this.emulators.s3.send(new ListObjectsV2Command({ Bucket: THUMBNAIL_BUCKET }));
    return (response.Contents ?? []).map((o) => o.Key ?? "").sort();
  }

  async thumbnailExists(key: string): Promise<boolean> {
    try {
      await this.emulators.s3.send(new HeadObjectCommand({ Bucket: THUMBNAIL_BUCKET, Key: key }));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.handlerS3.destroy();
    this.handlerDynamo.destroy();
    await this.emulators.close();
  }
}

/** The ImageID the function derives from an event record. */
export function imageIdOf(record: ReturnType<Pipeline["eventRecord"]>): string {
  const o = record.s3.object;
  return imageIdFor({ bucket: record.s3.bucket.name, key: decodeS3EventKey(o.key), sequencer: o.sequencer, eTag: o.eTag });
}

export function event(...records: unknown[]) {
  return { Records: records };
}
