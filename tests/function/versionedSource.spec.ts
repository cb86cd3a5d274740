import type { FunctionConfig } from "../../function/src/config";
/**
 * A versioned source bucket (s3rver has no versioning, so the S3 and DynamoDB clients are
 * mocked here): the handler reads the exact version the event names.
 */
import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import { S3Client, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { createHandler } from "../../function/src/handler";
import { createMetrics, PipelineMetrics } from "../../function/src/observability";
import { fromItem } from "../../contract/record";
import { solid } from "./support/images";

const CONFIG: FunctionConfig = {
  environment: "test",
  sourceBucket: "src",
  thumbnailBucket: "thumbs",
  metadataTable: "T",
  thumbnailSizes: [256],
  jpegQuality: 80,
  maxObjectBytes: 1e7,
  maxImagePixels: 5e7,
};

describe("a versioned source bucket", () => {
  const s3 = new S3Client({ region: "us-east-1" });
  const dynamo = new DynamoDBClient({ region: "us-east-1" });
  const s3Mock = mockClient(s3);
  const dynamoMock = mockClient(dynamo);
  after(() => {
    s3Mock.restore();
    dynamoMock.restore();
  });

  it("reads the event's version (not the latest) and records the version id", async () => {
    const jpeg = await solid(400, 200, "image/jpeg");
    s3Mock.on(GetObjectCommand).callsFake(async () => ({
      // Only what the handler uses of a streaming body.
      Body: { transformToByteArray: async () => new Uint8Array(jpeg) } as never,
      ContentLength: jpeg.length,
      ContentType: "image/jpeg",
      ETag: '"v1etag"',
      VersionId: "v1",
    }));
    s3Mock.on(PutObjectCommand).resolves({});
    dynamoMock.on(GetItemCommand).resolves({});
    dynamoMock.on(PutItemCommand).resolves({});
    dynamoMock.on(UpdateItemCommand).resolves({});
    const handle = createHandler({
      config: CONFIG,
      s3,
      dynamo,
      logger: new Logger({ logLevel: "SILENT" }),
      metrics: new PipelineMetrics(createMetrics("test")),
    });
    const original = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = "true";
    try {
      const summary = await handle({
        Records: [
          {
            eventName: "ObjectCreated:Put",
            eventTime: "2026-01-01T00:00:00.000Z",
            s3: {
              bucket: { name: "src" },
              object: { key: "v/photo.jpg", size: jpeg.length, eTag: "v1etag", versionId: "v1", sequencer: "00AA" },
            },
          },
        ],
      });
      assert.deepStrictEqual(
        summary.outcomes.map((o) => o.status),
        ["SUCCEEDED"],
      );
    } finally {
      if (original === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = original;
    }
    const get = s3Mock.commandCalls(GetObjectCommand)[0].args[0].input;
    assert.deepStrictEqual({ VersionId: get.VersionId, IfMatch: get.IfMatch }, { VersionId: "v1", IfMatch: undefined });
    const put = s3Mock.commandCalls(PutObjectCommand)[0].args[0].input;
    assert.strictEqual(put.Metadata?.["source-version-id"], "v1");
    const record = fromItem(dynamoMock.commandCalls(PutItemCommand)[0].args[0].input.Item!);
    assert.deepStrictEqual([record.VersionId, record.Status], ["v1", "SUCCEEDED"]);
  });

  it('reads with If-Match in a versioning-suspended bucket, where the "null" version is overwritten by every upload', async () => {
    s3Mock.reset();
    dynamoMock.reset();
    const newer = await solid(300, 300, "image/jpeg");
    // S3 honours If-Match: the null version now holds a newer upload, so the older event's read is refused.
    s3Mock.on(GetObjectCommand).callsFake(async (input: { IfMatch?: string }) => {
      if (input.IfMatch !== undefined && input.IfMatch !== '"newer"') {
        throw Object.assign(new Error("At least one of the pre-conditions you specified did not hold"), {
          name: "PreconditionFailed",
          $metadata: { httpStatusCode: 412 },
        });
      }
      return {
        Body: { transformToByteArray: async () => new Uint8Array(newer) } as never,
        ContentLength: newer.length,
        ContentType: "image/jpeg",
        ETag: '"newer"',
        VersionId: "null",
      };
    });
    s3Mock.on(PutObjectCommand).resolves({});
    // No earlier attempt wrote this upload's thumbnails.
    s3Mock.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    dynamoMock.on(GetItemCommand).resolves({});
    dynamoMock.on(PutItemCommand).resolves({});
    // Powertools reads this when the metrics object is created: set it first, so no EMF is printed.
    const original = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = "true";
    let summary;
    try {
      const handle = createHandler({
        config: CONFIG,
        s3,
        dynamo,
        logger: new Logger({ logLevel: "SILENT" }),
        metrics: new PipelineMetrics(createMetrics("test")),
      });
      summary = await handle({
        Records: [
          {
            eventName: "ObjectCreated:Put",
            eventTime: "2026-01-01T00:00:00.000Z",
            s3: {
              bucket: { name: "src" },
              object: { key: "s/photo.jpg", size: 1234, eTag: "older", versionId: "null", sequencer: "00AB" },
            },
          },
        ],
      });
    } finally {
      if (original === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = original;
    }
    assert.deepStrictEqual(
      summary.outcomes.map((o) => o.status),
      ["FAILED"],
      "the newer upload's bytes are never attributed to the older upload",
    );
    const get = s3Mock.commandCalls(GetObjectCommand)[0].args[0].input;
    assert.deepStrictEqual({ VersionId: get.VersionId, IfMatch: get.IfMatch }, { VersionId: undefined, IfMatch: '"older"' });
    const record = fromItem(dynamoMock.commandCalls(PutItemCommand)[0].args[0].input.Item!);
    assert.deepStrictEqual([record.Status, record.Reason], ["FAILED", "Superseded"]);
    assert.strictEqual(s3Mock.commandCalls(PutObjectCommand).length, 0);
  });
});
