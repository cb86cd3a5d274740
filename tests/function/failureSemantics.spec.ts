/**
 * What retries, duplicate deliveries, lost acknowledgements, unreadable records and S3's
 * permanent read errors leave behind: the real handler against s3rver and dynalite on loopback,
 * with faults injected into the handler's SDK clients.
 */
import * as assert from "assert";
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { Pipeline, event, imageIdOf, SOURCE_BUCKET, TABLE } from "./support/pipeline";
import { solid, pngBomb } from "./support/images";
import { Table } from "../../contract/table";
import { Dimension, MetricName } from "../../contract/metrics";
import { FailureReason } from "../../contract/failureReasons";
import { PermanentError, TransientError } from "../../function/src/core/errors";
import { getRecordState } from "../../function/src/adapters/recordStore";
import { MISSING_SOURCE_GRACE_MS } from "../../function/src/adapters/sourceObject";

function s3Error(name: string, status: number, message: string): () => Error {
  return () => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

const throttled = s3Error("ProvisionedThroughputExceededException", 400, "Rate exceeded");

describe("failure semantics against S3 and DynamoDB on loopback", function () {
  this.timeout(60_000);
  let pipeline: Pipeline;
  let jpeg: Buffer;

  before(async () => {
    pipeline = await Pipeline.start();
    jpeg = await solid(800, 600, "image/jpeg");
  });
  after(async () => {
    await pipeline?.close();
  });

  /** Runs the handler and returns its outcomes with the EMF metric values it emitted. */
  async function run(
    r: ReturnType<Pipeline["eventRecord"]>,
    config: Parameters<Pipeline["invoke"]>[1] = {},
    overrides: Parameters<Pipeline["invoke"]>[2] = {},
  ) {
    const before = pipeline.emf.length;
    const summary = await pipeline.invoke(event(r), config, overrides);
    const emf = pipeline.emf.slice(before);
    return {
      statuses: summary.outcomes.map((o) => o.status),
      outcomes: summary.outcomes,
      count: (metric: string) => emf.filter((b) => metric in b && !(Dimension.Reason in b)).reduce((sum, b) => sum + Number(b[metric]), 0),
      reasons: emf.filter((b) => Dimension.Reason in b).map((b) => b[Dimension.Reason]),
    };
  }

  async function deleteSource(key: string) {
    await pipeline.emulators.s3.send(new DeleteObjectCommand({ Bucket: SOURCE_BUCKET, Key: key }));
  }

  describe("a retry after an attempt wrote the thumbnails but not the record", () => {
    async function firstAttemptWithoutRecord(key: string) {
      const r = await pipeline.upload(key, jpeg, "image/jpeg");
      pipeline.inject({ command: "PutItemCommand", times: 1, error: throttled });
      await assert.rejects(pipeline.invoke(event(r)), /ProvisionedThroughputExceededException/);
      const thumbnail = await pipeline.thumbnail(`${imageIdOf(r)}/256.jpg`);
      assert.strictEqual(await pipeline.record(imageIdOf(r)), undefined, "precondition: no record yet");
      return { r, thumbnail };
    }

    it("records SUCCEEDED from those thumbnails when the upload was deleted before the retry", async () => {
      const { r, thumbnail } = await firstAttemptWithoutRecord("retry/deleted.jpg");
      await deleteSource("retry/deleted.jpg");

      const retry = await run(r);

      assert.deepStrictEqual(retry.statuses, ["SUCCEEDED"]);
      assert.strictEqual(retry.count(MetricName.ImagesProcessed), 1);
      assert.strictEqual(retry.count(MetricName.ThumbnailBytes), thumbnail.bytes.length);
      const record = await pipeline.record(imageIdOf(r));
      assert.strictEqual(record?.Status, "SUCCEEDED");
      assert.deepStrictEqual(
        [record.DetectedFormat, record.Width, record.Height, record.Orientation, record.HasAlpha, record.SizeBytes],
        ["jpeg", 800, 600, 1, false, jpeg.length],
      );
      assert.deepStrictEqual(record.Thumbnails, [
        {
          Size: 256,
          Key: `${imageIdOf(r)}/256.jpg`,
          Width: 256,
          Height: 192,
          Bytes: thumbnail.bytes.length,
          Format: "jpeg",
          ContentType: "image/jpeg",
        },
      ]);
      assert.ok(
        (await pipeline.thumbnail(`${imageIdOf(r)}/256.jpg`)).bytes.equals(thumbnail.bytes),
        "the thumbnail is the first attempt's",
      );
    });

    it("records SUCCEEDED from those thumbnails when the key was overwritten before the retry", async () => {
      const { r } = await firstAttemptWithoutRecord("retry/overwritten.jpg");
      await pipeline.upload("retry/overwritten.jpg", await solid(300, 300, "image/jpeg", 0x00ff00ff), "image/jpeg");

      const retry = await run(r);

      assert.deepStrictEqual(retry.statuses, ["SUCCEEDED"]);
      const record = await pipeline.record(imageIdOf(r));
      assert.deepStrictEqual(
        [record?.Status, record?.Width, record?.Height],
        ["SUCCEEDED", 800, 600],
        "the first upload's facts, not the newer one's",
      );
    });

    it("records SourceMissing when the earlier attempt wrote only some of the sizes", async () => {
      const r = await pipeline.upload("retry/partial.jpg", jpeg, "image/jpeg");
      const sizes = { thumbnailSizes: [256, 128] };
      pipeline.inject({ command: "PutObjectCommand", times: 1 });
      await assert.rejects(pipeline.invoke(event(r), sizes), /TransientError|ServiceUnavailable/);
      const written = [
        await pipeline.thumbnailExists(`${imageIdOf(r)}/256.jpg`),
        await pipeline.thumbnailExists(`${imageIdOf(r)}/128.jpg`),
      ];
      assert.deepStrictEqual(written.sort(), [false, true], "precondition: one of the two sizes was written");
      await deleteSource("retry/partial.jpg");

      const retry = await run(r, sizes);

      assert.deepStrictEqual(retry.outcomes, [{ status: "FAILED", imageId: imageIdOf(r), reason: FailureReason.SourceMissing }]);
    });
  });

  describe("a duplicate delivery of an upload that has a FAILED record", () => {
    it("keeps a reason about the bytes (TooManyPixels) even when the object has since been deleted", async () => {
      const r = await pipeline.upload("duplicate/bomb.png", pngBomb(20000, 20000));
      assert.deepStrictEqual((await run(r)).statuses, ["FAILED"]);
      const first = await pipeline.record(imageIdOf(r));
      await deleteSource("duplicate/bomb.png");

      const duplicate = await run(r);

      assert.deepStrictEqual(duplicate.statuses, ["DUPLICATE"]);
      assert.strictEqual(duplicate.count(MetricName.ImagesFailed), 0, "not counted twice");
      assert.deepStrictEqual(await pipeline.record(imageIdOf(r)), first, "the record is untouched");
      assert.strictEqual(first?.Reason, FailureReason.TooManyPixels);
    });

    it("neither rewrites nor counts again a failure of the moment (SourceMissing) found again", async () => {
      const r = await pipeline.upload("duplicate/deleted.jpg", jpeg);
      await deleteSource("duplicate/deleted.jpg");
      assert.deepStrictEqual((await run(r)).statuses, ["FAILED"]);
      const first = await pipeline.record(imageIdOf(r));

      const duplicate = await run(r);

      assert.deepStrictEqual(duplicate.statuses, ["DUPLICATE"]);
      assert.strictEqual(duplicate.count(MetricName.ImagesFailed), 0);
      assert.deepStrictEqual(await pipeline.record(imageIdOf(r)), first);
    });
  });

  describe("S3 errors that are facts about the object", () => {
    it("records an archived object (403 InvalidObjectState) as SourceArchived at once, and a later attempt after a restore as SUCCEEDED", async () => {
      const r = await pipeline.upload("errors/archived.jpg", jpeg, "image/jpeg");
      pipeline.inject({
        command: "GetObjectCommand",
        times: 1,
        error: s3Error("InvalidObjectState", 403, "The operation is not valid for the object's storage class"),
      });

      const archived = await run(r);

      assert.deepStrictEqual(archived.outcomes, [{ status: "FAILED", imageId: imageIdOf(r), reason: FailureReason.SourceArchived }]);
      assert.deepStrictEqual(archived.reasons, [FailureReason.SourceArchived]);
      const record = await pipeline.record(imageIdOf(r));
      assert.strictEqual(record?.Reason, FailureReason.SourceArchived);
      assert.match(record.ErrorMessage ?? "", /archived.*restore/);

      const restored = await run(r);

      assert.deepStrictEqual(restored.statuses, ["SUCCEEDED"]);
      assert.strictEqual((await pipeline.record(imageIdOf(r)))?.Status, "SUCCEEDED");
    });

    it("records an object encrypted with a customer-provided key (400 InvalidRequest, SSE-C) as SourceEncryptedWithCustomerKey", async () => {
      const r = await pipeline.upload("errors/sse-c.jpg", jpeg, "image/jpeg");
      pipeline.inject({
        command: "GetObjectCommand",
        times: 1,
        error: s3Error(
          "InvalidRequest",
          400,
          "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.",
        ),
      });

      const result = await run(r);

      assert.deepStrictEqual(result.outcomes, [
        { status: "FAILED", imageId: imageIdOf(r), reason: FailureReason.SourceEncryptedWithCustomerKey },
      ]);
      assert.strictEqual((await pipeline.record(imageIdOf(r)))?.Reason, FailureReason.SourceEncryptedWithCustomerKey);
    });

    it("keeps AccessDenied and other InvalidRequests transient: the stack's permissions or key grants, not the object", async () => {
      for (const error of [s3Error("AccessDenied", 403, "Access Denied"), s3Error("InvalidRequest", 400, "Please use AWS4-HMAC-SHA256.")]) {
        const r = await pipeline.upload(`errors/${error().name}.jpg`, jpeg, "image/jpeg");
        pipeline.inject({ command: "GetObjectCommand", times: 1, error });
        await assert.rejects(
          pipeline.invoke(event(r)),
          (err: Error) => err instanceof TransientError && err.message.includes(error().name),
        );
        assert.strictEqual(await pipeline.record(imageIdOf(r)), undefined);
      }
    });
  });

  describe("a record write whose acknowledgement is lost", () => {
    it("is recognised as this attempt's own when the SDK's retry fails the condition: SUCCEEDED, and counted", async () => {
      const r = await pipeline.upload("ack/lost.jpg", jpeg, "image/jpeg");
      pipeline.inject({ command: "PutItemCommand", times: 1, loseResponse: true });

      const result = await run(r);

      assert.deepStrictEqual(result.statuses, ["SUCCEEDED"]);
      assert.strictEqual(result.count(MetricName.ImagesProcessed), 1);
      assert.strictEqual(typeof result.count(MetricName.ProcessingDuration), "number");
      assert.strictEqual((await pipeline.record(imageIdOf(r)))?.Status, "SUCCEEDED");
    });

    it("is recognised for a FAILED record too: FAILED, and counted", async () => {
      const r = await pipeline.upload("ack/lost-failure.jpg", Buffer.from("not an image"));
      pipeline.inject({ command: "PutItemCommand", times: 1, loseResponse: true });

      const result = await run(r);

      assert.deepStrictEqual(result.statuses, ["FAILED"]);
      assert.strictEqual(result.count(MetricName.ImagesFailed), 1);
    });
  });

  describe("a record the function cannot read", () => {
    async function withRecord(key: string, attributes: Record<string, unknown>) {
      const r = await pipeline.upload(key, jpeg, "image/jpeg");
      const item = { [Table.partitionKey]: { S: imageIdOf(r) }, ...attributes };
      await pipeline.emulators.dynamo.send(new PutItemCommand({ TableName: TABLE, Item: item }));
      return { r, item };
    }

    it("names the ImageID, the attribute and its type", async () => {
      const { r } = await withRecord("unreadable/message.jpg", { Status: { NULL: true } });
      await assert.rejects(getRecordState(pipeline.handlerDynamo, TABLE, imageIdOf(r)), (err: Error) => {
        assert.ok(err instanceof PermanentError && err.reason === FailureReason.RecordUnreadable);
        assert.ok(err.message.includes(imageIdOf(r)), err.message);
        assert.match(err.message, /Status of DynamoDB type NULL/);
        assert.match(err.message, /as type S, one of SUCCEEDED, FAILED/);
        return true;
      });
    });

    it("is left as it is and counted as RecordUnreadable; the invocation succeeds instead of retrying forever", async () => {
      const { r, item } = await withRecord("unreadable/status.jpg", { Status: { NULL: true }, Notes: { S: "edited by hand" } });

      const result = await run(r);

      assert.deepStrictEqual(result.outcomes, [{ status: "FAILED", imageId: imageIdOf(r), reason: FailureReason.RecordUnreadable }]);
      assert.deepStrictEqual(result.reasons, [FailureReason.RecordUnreadable]);
      const stored = await pipeline.emulators.dynamo.send(
        new GetItemCommand({ TableName: TABLE, Key: { [Table.partitionKey]: { S: imageIdOf(r) } } }),
      );
      assert.deepStrictEqual(stored.Item, item, "not overwritten");
      assert.strictEqual(await pipeline.thumbnailExists(`${imageIdOf(r)}/256.jpg`), false, "not processed");
    });

    it("does not matter when only attributes the function does not decide by were edited (sets, binary, NULL)", async () => {
      const { r } = await withRecord("unreadable/extras.jpg", {
        Status: { S: "SUCCEEDED" },
        Tags: { SS: ["a", "b"] },
        Blob: { B: new Uint8Array([1, 2, 3]) },
        Note: { NULL: true },
      });

      assert.deepStrictEqual((await run(r)).statuses, ["DUPLICATE"]);
    });
  });

  describe("an upload that reads as 404 just after its event", () => {
    it("is retried while the event is younger than the grace period, then recorded as SourceMissing", async () => {
      const uploaded = await pipeline.upload("settling/missing.jpg", jpeg, "image/jpeg");
      const eventTime = new Date();
      const r = { ...uploaded, eventTime: eventTime.toISOString() };
      await deleteSource("settling/missing.jpg");

      for (const age of [0, 70_000]) {
        await assert.rejects(
          pipeline.invoke(event(r), {}, { now: () => new Date(eventTime.getTime() + age) }),
          (err: Error) => err instanceof TransientError && /not found \d+ s after its event/.test(err.message),
          `at age ${age} ms`,
        );
      }
      assert.strictEqual(await pipeline.record(imageIdOf(r)), undefined, "no record while S3 may be settling");

      const lastRetry = await run(r, {}, { now: () => new Date(eventTime.getTime() + 180_000) });

      assert.ok(180_000 > MISSING_SOURCE_GRACE_MS, "Lambda's last retry (about 3 minutes) is after the grace period");
      assert.deepStrictEqual(lastRetry.outcomes, [{ status: "FAILED", imageId: imageIdOf(r), reason: FailureReason.SourceMissing }]);
    });

    it("succeeds when the object appears within the grace period", async () => {
      const eventTime = new Date();
      const r = { ...pipeline.eventRecord("settling/late.jpg", jpeg.length, "", { eventTime: eventTime.toISOString() }) };
      await assert.rejects(pipeline.invoke(event(r)), TransientError);
      const uploaded = await pipeline.emulators.s3.send(
        new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: "settling/late.jpg", Body: jpeg }),
      );
      r.s3.object.eTag = (uploaded.ETag ?? "").replace(/"/g, "");
      assert.deepStrictEqual((await run(r)).statuses, ["SUCCEEDED"]);
    });
  });
});
