/**
 * The real handler against real S3 and DynamoDB wire protocols on loopback (s3rver, dynalite),
 * with S3 events shaped as real S3 sends them.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { Jimp } from "jimp";
import { Pipeline, event, imageIdOf, SOURCE_BUCKET, THUMBNAIL_BUCKET, TABLE } from "./support/pipeline";
import { solid, pngBomb, withExifOrientation, quadrantImage, encode } from "./support/images";
import { Table } from "../../contract/table";
import { MetricName, METRICS_NAMESPACE, Dimension } from "../../contract/metrics";
import { FailureReason } from "../../contract/failureReasons";
import type { ImageRecord } from "../../contract/record";
import { buildFunction } from "../../function/build";
import { FunctionPermissions } from "../../contract/permissions";

type EmfBlob = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
};

describe("thumbnailer handler against S3 and DynamoDB on loopback", function () {
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

  function emfSince(count: number): EmfBlob[] {
    return pipeline.emf.slice(count) as EmfBlob[];
  }

  describe("a normal upload", () => {
    let record: ImageRecord;
    let eventRecord: ReturnType<Pipeline["eventRecord"]>;
    let emf: EmfBlob[];

    before(async () => {
      const before = pipeline.emf.length;
      eventRecord = await pipeline.upload("photos/holiday.jpg", jpeg, "image/jpeg");
      const summary = await pipeline.invoke(event(eventRecord));
      assert.deepStrictEqual(
        summary.outcomes.map((o) => o.status),
        ["SUCCEEDED"],
      );
      record = (await pipeline.record(imageIdOf(eventRecord)))!;
      emf = emfSince(before);
    });

    it("writes a SUCCEEDED record with the upload's facts", () => {
      assert.ok(record, "record exists");
      assert.strictEqual(record.Status, "SUCCEEDED");
      assert.strictEqual(record.SourceBucket, SOURCE_BUCKET);
      assert.strictEqual(record.SourceKey, "photos/holiday.jpg");
      assert.strictEqual(record.FileName, "holiday.jpg");
      assert.strictEqual(record.SizeBytes, jpeg.length);
      assert.strictEqual(record.ContentType, "image/jpeg");
      assert.strictEqual(record.DetectedFormat, "jpeg");
      assert.strictEqual(record.Width, 800);
      assert.strictEqual(record.Height, 600);
      assert.strictEqual(record.UploadTime, eventRecord.eventTime);
      assert.ok(Date.parse(record.ProcessedAt) > 0, "ProcessedAt is a timestamp");
      assert.strictEqual(record.ThumbnailBucket, THUMBNAIL_BUCKET);
      assert.strictEqual(record.ETag, eventRecord.s3.object.eTag);
      assert.strictEqual(record.Sequencer, eventRecord.s3.object.sequencer);
      assert.strictEqual(record.EventName, "ObjectCreated:Put");
      assert.ok(record.DurationMs >= 0);
      assert.strictEqual(record.FailedStatus, undefined, "successes stay out of the sparse failures index");
      assert.strictEqual(record.Reason, undefined);
    });

    it("writes a 256 px JPEG thumbnail under <ImageID>/256.jpg with immutable caching and source metadata", async () => {
      assert.strictEqual(record.Thumbnails.length, 1);
      const entry = record.Thumbnails[0];
      assert.deepStrictEqual(
        { Size: entry.Size, Key: entry.Key, Width: entry.Width, Height: entry.Height, Format: entry.Format },
        {
          Size: 256,
          Key: `${record.ImageID}/256.jpg`,
          Width: 256,
          Height: 192,
          Format: "jpeg",
        },
      );
      const object = await pipeline.thumbnail(entry.Key);
      assert.strictEqual(object.bytes.length, entry.Bytes);
      assert.strictEqual(object.contentType, "image/jpeg");
      assert.strictEqual(object.cacheControl, "public, max-age=31536000, immutable");
      assert.strictEqual(object.metadata["source-key"], encodeURIComponent("photos/holiday.jpg"));
      assert.strictEqual(object.metadata["source-etag"], eventRecord.s3.object.eTag);
      assert.strictEqual(object.metadata["image-id"], record.ImageID);
      const image = await Jimp.fromBuffer(object.bytes);
      assert.deepStrictEqual([image.bitmap.width, image.bitmap.height], [256, 192]);
    });

    it("emits ImagesProcessed, ProcessingDuration, SourceBytes and ThumbnailBytes as EMF with the standard dimensions", () => {
      const blob = emf.find((b) => MetricName.ImagesProcessed in b);
      assert.ok(blob, "an EMF blob with ImagesProcessed");
      const directive = blob._aws.CloudWatchMetrics[0];
      assert.strictEqual(directive.Namespace, METRICS_NAMESPACE);
      assert.deepStrictEqual(directive.Dimensions, [[Dimension.Service, Dimension.Environment]]);
      assert.strictEqual(blob[Dimension.Environment], "test");
      assert.strictEqual(blob[MetricName.ImagesProcessed], 1);
      assert.strictEqual(blob[MetricName.SourceBytes], jpeg.length);
      assert.strictEqual(blob[MetricName.ThumbnailBytes], record.Thumbnails[0].Bytes);
      assert.strictEqual(typeof blob[MetricName.ProcessingDuration], "number");
    });

    it("is found through the BySourceKey index", async () => {
      const response = await pipeline.emulators.dynamo.send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: Table.bySourceKey.indexName,
          KeyConditionExpression: "#k = :k",
          ExpressionAttributeNames: { "#k": Table.bySourceKey.partitionKey },
          ExpressionAttributeValues: { ":k": { S: "photos/holiday.jpg" } },
        }),
      );
      assert.deepStrictEqual(
        response.Items?.map((i) => i[Table.partitionKey].S),
        [record.ImageID],
      );
    });
  });

  it("processes every record of a multi-record event", async () => {
    const records = [];
    for (const name of ["multi/one.jpg", "multi/two.png", "multi/three.gif"]) {
      const mime = name.endsWith(".jpg") ? "image/jpeg" : name.endsWith(".png") ? "image/png" : "image/gif";
      records.push(await pipeline.upload(name, await solid(300, 100, mime), mime));
    }
    const summary = await pipeline.invoke(event(...records));
    assert.deepStrictEqual(
      summary.outcomes.map((o) => o.status),
      ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"],
    );
    for (const r of records) {
      const record = await pipeline.record(imageIdOf(r));
      assert.strictEqual(record?.Status, "SUCCEEDED", `record for ${r.s3.object.key}`);
      assert.deepStrictEqual([record.Thumbnails[0].Width, record.Thumbnails[0].Height], [256, 85]);
    }
  });

  for (const key of ["with spaces/my photo.jpg", "plus+sign/a+b.jpg", "percent/100%.jpg", "unicode/日本語 ü é.jpg", "odd/?&=#;.jpg"]) {
    it(`round-trips the key ${JSON.stringify(key)} from its URL-encoded event form`, async () => {
      const r = await pipeline.upload(key, jpeg, "image/jpeg");
      assert.notStrictEqual(r.s3.object.key, key.includes(" ") || /[^A-Za-z0-9/._-]/.test(key) ? key : "", "the event key is encoded");
      const summary = await pipeline.invoke(event(r));
      assert.deepStrictEqual(
        summary.outcomes.map((o) => o.status),
        ["SUCCEEDED"],
      );
      const record = await pipeline.record(imageIdOf(r));
      assert.strictEqual(record?.SourceKey, key);
      const thumb = await pipeline.thumbnail(record.Thumbnails[0].Key);
      assert.strictEqual(decodeURIComponent(thumb.metadata["source-key"]), key);
    });
  }

  it("leaves one record and the same thumbnails when the same event is delivered twice", async () => {
    const r = await pipeline.upload("dup/twice.jpg", jpeg, "image/jpeg");
    const first = await pipeline.invoke(event(r));
    const recordAfterFirst = await pipeline.record(imageIdOf(r));
    const thumbAfterFirst = await pipeline.thumbnail(recordAfterFirst!.Thumbnails[0].Key);
    const second = await pipeline.invoke(event(r));
    assert.deepStrictEqual([first.outcomes[0].status, second.outcomes[0].status], ["SUCCEEDED", "DUPLICATE"]);
    const records = (await pipeline.records()).filter((x) => x.SourceKey === "dup/twice.jpg");
    assert.strictEqual(records.length, 1);
    assert.deepStrictEqual(records[0], recordAfterFirst, "the record is untouched by the duplicate");
    const thumbAfterSecond = await pipeline.thumbnail(recordAfterFirst!.Thumbnails[0].Key);
    assert.ok(thumbAfterSecond.bytes.equals(thumbAfterFirst.bytes));
  });

  it("treats a new upload of the same key as a new upload with its own record and thumbnails", async () => {
    const first = await pipeline.upload("again/same-key.jpg", jpeg, "image/jpeg");
    await pipeline.invoke(event(first));
    const second = await pipeline.upload("again/same-key.jpg", await solid(400, 400, "image/jpeg", 0xff0000ff), "image/jpeg");
    await pipeline.invoke(event(second));
    const records = (await pipeline.records()).filter((x) => x.SourceKey === "again/same-key.jpg");
    assert.strictEqual(records.length, 2);
    assert.notStrictEqual(imageIdOf(first), imageIdOf(second));
    const newer = records.find((x) => x.ImageID === imageIdOf(second))!;
    assert.deepStrictEqual([newer.Status, newer.Width, newer.Height], ["SUCCEEDED", 400, 400]);
    assert.notStrictEqual(records[0].Thumbnails[0].Key, records[1].Thumbnails[0].Key);
  });

  it("does not let an older event arriving late displace the newer upload of the same key", async () => {
    const key = "late/overwritten.jpg";
    const older = await pipeline.upload(key, jpeg, "image/jpeg");
    const newer = await pipeline.upload(key, await solid(300, 300, "image/jpeg", 0x00ff00ff), "image/jpeg");
    await pipeline.invoke(event(newer));
    const newerRecord = await pipeline.record(imageIdOf(newer));
    const newerThumb = await pipeline.thumbnail(newerRecord!.Thumbnails[0].Key);

    const late = await pipeline.invoke(event(older));

    // The key's state knows a newer upload succeeded: the older one is recorded, not even read.
    assert.deepStrictEqual(late.outcomes, [{ status: "SUPERSEDED", imageId: imageIdOf(older), as: "REPLACED" }]);
    const olderRecord = await pipeline.record(imageIdOf(older));
    assert.strictEqual(olderRecord?.Status, "REPLACED");
    assert.strictEqual(olderRecord.ReplacedBy, imageIdOf(newer));
    assert.deepStrictEqual(await pipeline.record(imageIdOf(newer)), newerRecord, "the newer record is untouched");
    assert.ok(
      (await pipeline.thumbnail(newerRecord!.Thumbnails[0].Key)).bytes.equals(newerThumb.bytes),
      "the newer thumbnail is untouched",
    );
    const latest = await pipeline.emulators.dynamo.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: Table.bySourceKey.indexName,
        KeyConditionExpression: "#k = :k",
        ExpressionAttributeNames: { "#k": Table.bySourceKey.partitionKey },
        ExpressionAttributeValues: { ":k": { S: key } },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    assert.strictEqual(latest.Items?.[0][Table.partitionKey].S, imageIdOf(newer), "newest-first lookup still finds the newer upload");
  });

  describe("permanent failures", () => {
    async function failureOf(key: string, body: Uint8Array, config = {}) {
      const before = pipeline.emf.length;
      const r = await pipeline.upload(key, body);
      const summary = await pipeline.invoke(event(r), config);
      return { summary, record: await pipeline.record(imageIdOf(r)), emf: emfSince(before) };
    }

    it("records a corrupt image as FAILED with a reason, counts it, and the invocation succeeds", async () => {
      const { summary, record, emf } = await failureOf("bad/truncated.jpg", jpeg.subarray(0, 400));
      assert.deepStrictEqual(
        summary.outcomes.map((o) => o.status),
        ["FAILED"],
      );
      assert.strictEqual(record?.Status, "FAILED");
      assert.strictEqual(record.Reason, FailureReason.CorruptImage);
      assert.strictEqual(record.FailedStatus, "FAILED");
      assert.ok(record.ErrorMessage && record.ErrorMessage.length > 0);
      assert.deepStrictEqual(record.Thumbnails, []);
      const total = emf.find((b) => MetricName.ImagesFailed in b && !(Dimension.Reason in b));
      const byReason = emf.find((b) => b[Dimension.Reason] === FailureReason.CorruptImage);
      assert.strictEqual(total?.[MetricName.ImagesFailed], 1);
      assert.deepStrictEqual(byReason?._aws.CloudWatchMetrics[0].Dimensions, [
        [Dimension.Service, Dimension.Environment, Dimension.Reason],
      ]);
    });

    it("refuses a decompression bomb from its header, recording its claimed size", async () => {
      const started = Date.now();
      const { record } = await failureOf("bad/bomb.png", pngBomb(20000, 20000));
      assert.strictEqual(record?.Reason, FailureReason.TooManyPixels);
      assert.deepStrictEqual([record.DetectedFormat, record.Width, record.Height], ["png", 20000, 20000]);
      assert.ok(Date.now() - started < 10_000, "never decoded");
    });

    it("records content that is not an image as UnsupportedFormat, whatever the extension", async () => {
      const { record } = await failureOf("bad/notes.jpg", Buffer.from("just some text, not a JPEG\n"));
      assert.strictEqual(record?.Reason, FailureReason.UnsupportedFormat);
    });

    it("records a zero-byte object as EmptyObject", async () => {
      const { record } = await failureOf("bad/empty.jpg", new Uint8Array(0));
      assert.strictEqual(record?.Reason, FailureReason.EmptyObject);
    });

    it("records an object over MAX_OBJECT_BYTES as ObjectTooLarge without reading it", async () => {
      const { record } = await failureOf("bad/large.jpg", jpeg, { maxObjectBytes: 1000 });
      assert.strictEqual(record?.Reason, FailureReason.ObjectTooLarge);
    });

    it("records an upload deleted before it was processed as SourceMissing", async () => {
      const r = await pipeline.upload("bad/deleted.jpg", jpeg);
      await pipeline.emulators.s3.send(new DeleteObjectCommand({ Bucket: SOURCE_BUCKET, Key: "bad/deleted.jpg" }));
      await pipeline.invoke(event(r));
      assert.strictEqual((await pipeline.record(imageIdOf(r)))?.Reason, FailureReason.SourceMissing);
    });

    it("records an event from a bucket it does not serve as UnexpectedBucket", async () => {
      const r = pipeline.eventRecord("elsewhere.jpg", 100, "abc", { bucket: "someone-elses-bucket" });
      await pipeline.invoke(event(r));
      assert.strictEqual((await pipeline.record(imageIdOf(r)))?.Reason, FailureReason.UnexpectedBucket);
    });

    it("ignores folder markers without a record", async () => {
      const r = await pipeline.upload("a-folder/", new Uint8Array(0));
      const summary = await pipeline.invoke(event(r));
      assert.deepStrictEqual(
        summary.outcomes.map((o) => o.status),
        ["IGNORED"],
      );
      assert.strictEqual(await pipeline.record(imageIdOf(r)), undefined);
    });

    it("does not let one bad record stop the other records of the event", async () => {
      const bad = await pipeline.upload("mixed/bad.png", Buffer.from("not a png"));
      const good = await pipeline.upload("mixed/good.jpg", jpeg);
      const summary = await pipeline.invoke(event(bad, good));
      assert.deepStrictEqual(
        summary.outcomes.map((o) => o.status),
        ["FAILED", "SUCCEEDED"],
      );
    });
  });

  describe("transient failures", () => {
    it("throws when writing a thumbnail fails, and the retry completes the upload", async () => {
      const r = await pipeline.upload("transient/put.jpg", jpeg);
      pipeline.inject({ command: "PutObjectCommand", times: 1 });
      await assert.rejects(
        pipeline.invoke(event(r)),
        (err: Error) => err.name === "TransientError" && /transient\/put\.jpg/.test(err.message),
      );
      assert.strictEqual(await pipeline.record(imageIdOf(r)), undefined, "no record until the thumbnails exist");
      const retry = await pipeline.invoke(event(r));
      assert.deepStrictEqual(
        retry.outcomes.map((o) => o.status),
        ["SUCCEEDED"],
      );
      const record = await pipeline.record(imageIdOf(r));
      assert.ok(await pipeline.thumbnailExists(record!.Thumbnails[0].Key));
    });

    it("throws when the record cannot be written, and the retry converges on one record and the same thumbnails", async () => {
      const r = await pipeline.upload("transient/record.jpg", jpeg);
      pipeline.inject({
        command: "PutItemCommand",
        times: 1,
        error: () =>
          Object.assign(new Error("Rate exceeded"), { name: "ProvisionedThroughputExceededException", $metadata: { httpStatusCode: 400 } }),
      });
      await assert.rejects(pipeline.invoke(event(r)), /ProvisionedThroughputExceededException/);
      const key = `${imageIdOf(r)}/256.jpg`;
      const firstThumb = await pipeline.thumbnail(key);
      await pipeline.invoke(event(r));
      assert.strictEqual((await pipeline.records()).filter((x) => x.SourceKey === "transient/record.jpg").length, 1);
      assert.ok((await pipeline.thumbnail(key)).bytes.equals(firstThumb.bytes), "the retry wrote identical thumbnails");
    });

    it("finishes the other records of the event before throwing, and the retry skips what was done", async () => {
      const ok = await pipeline.upload("transient/ok.jpg", jpeg);
      const flaky = await pipeline.upload("transient/flaky.jpg", jpeg);
      pipeline.inject({ command: "GetObjectCommand", times: 1 });
      await assert.rejects(pipeline.invoke(event(flaky, ok)), /1 of 2 records failed transiently/);
      assert.strictEqual((await pipeline.record(imageIdOf(ok)))?.Status, "SUCCEEDED");
      assert.strictEqual(await pipeline.record(imageIdOf(flaky)), undefined);
      const retry = await pipeline.invoke(event(flaky, ok));
      assert.deepStrictEqual(
        retry.outcomes.map((o) => o.status),
        ["SUCCEEDED", "DUPLICATE"],
      );
    });

    it("throws when DynamoDB cannot be read, before doing any work", async () => {
      const r = await pipeline.upload("transient/get.jpg", jpeg);
      pipeline.inject({ command: "GetItemCommand", times: 1 });
      await assert.rejects(pipeline.invoke(event(r)), /dynamodb:GetItem/);
      assert.strictEqual(await pipeline.thumbnailExists(`${imageIdOf(r)}/256.jpg`), false);
    });
  });

  it("writes EXIF-rotated uploads upright", async () => {
    const stored = withExifOrientation(await encode(quadrantImage(600, 300), "image/jpeg"), 6);
    const r = await pipeline.upload("exif/rotated.jpg", stored, "image/jpeg");
    await pipeline.invoke(event(r));
    const record = await pipeline.record(imageIdOf(r));
    assert.deepStrictEqual([record?.Width, record?.Height, record?.Orientation], [300, 600, 6]);
    assert.deepStrictEqual([record!.Thumbnails[0].Width, record!.Thumbnails[0].Height], [128, 256]);
  });

  it("makes one thumbnail per configured size", async () => {
    const r = await pipeline.upload("sizes/big.jpg", jpeg);
    await pipeline.invoke(event(r), { thumbnailSizes: [512, 128] });
    const record = await pipeline.record(imageIdOf(r));
    assert.deepStrictEqual(
      record?.Thumbnails.map((t) => [t.Key.split("/")[1], t.Width, t.Height]),
      [
        ["512.jpg", 512, 384],
        ["128.jpg", 128, 96],
      ],
    );
  });

  it("skips records that are not ObjectCreated events", async () => {
    const r = pipeline.eventRecord("removed.jpg", 0, "");
    const summary = await pipeline.invoke(event({ ...r, eventName: "ObjectRemoved:Delete" }));
    assert.deepStrictEqual(summary.outcomes, []);
  });

  describe("the exported handler", () => {
    const saved = { ...process.env };
    /** The exported handler's logger is created at import, before the tests set its level: mute its lines. */
    async function quietly<T>(fn: () => Promise<T>): Promise<T> {
      const stdout = process.stdout.write.bind(process.stdout);
      const stderr = process.stderr.write.bind(process.stderr);
      process.stdout.write = () => true;
      process.stderr.write = () => true;
      try {
        return await fn();
      } finally {
        process.stdout.write = stdout;
        process.stderr.write = stderr;
      }
    }
    afterEach(() => {
      process.env = { ...saved };
    });

    // Runs first: the exported handler keeps its configuration once it has a valid one.
    it("refuses to run with an invalid environment, naming each variable, its value and the rule", async () => {
      for (const name of ["ENVIRONMENT", "SOURCE_BUCKET", "THUMBNAIL_BUCKET", "METADATA_TABLE"]) delete process.env[name];
      process.env.THUMBNAIL_SIZES = "256,huge";
      process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
      const { handler } = await import("../../function/src/handler");
      await quietly(() =>
        assert.rejects(handler(event()), (err: Error) => {
          assert.strictEqual(err.name, "FunctionEnvironmentError");
          assert.match(err.message, /SOURCE_BUCKET is not set/);
          assert.match(err.message, /METADATA_TABLE is not set/);
          assert.match(err.message, /THUMBNAIL_SIZES="256,huge" must be/);
          return true;
        }),
      );
    });

    it("reads its configuration from the environment and processes an upload with clients it creates itself", async () => {
      Object.assign(process.env, pipeline.emulators.sdkEnvironment, {
        ENVIRONMENT: "test",
        SOURCE_BUCKET: SOURCE_BUCKET,
        THUMBNAIL_BUCKET: THUMBNAIL_BUCKET,
        METADATA_TABLE: TABLE,
        THUMBNAIL_SIZES: "64",
        POWERTOOLS_LOG_LEVEL: "SILENT",
        POWERTOOLS_METRICS_DISABLED: "true",
      });
      const r = await pipeline.upload("env/handler.jpg", jpeg, "image/jpeg");
      const { handler } = await import("../../function/src/handler");
      const summary = await quietly(() => handler(event(r)));
      assert.deepStrictEqual(
        summary.outcomes.map((o) => o.status),
        ["SUCCEEDED"],
      );
      const record = await pipeline.record(imageIdOf(r));
      assert.deepStrictEqual(
        record?.Thumbnails.map((t) => [t.Width, t.Height]),
        [[64, 48]],
      );
    });
  });

  it("stores thumbnails whose bytes are intact (no chunk framing from streaming checksums)", async () => {
    const r = await pipeline.upload("intact/check.png", await solid(50, 50, "image/png", 0x11223344), "image/png");
    await pipeline.invoke(event(r));
    const record = await pipeline.record(imageIdOf(r));
    const thumb = await pipeline.thumbnail(record!.Thumbnails[0].Key);
    assert.strictEqual(thumb.contentType, "image/png");
    assert.deepStrictEqual([...thumb.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.strictEqual(thumb.bytes.length, record!.Thumbnails[0].Bytes);
  });
});

describe("the deployable bundle (dist/function/index.js)", function () {
  this.timeout(120_000);
  let pipeline: Pipeline;
  let outDir: string;
  const saved = { ...process.env };

  before(async () => {
    pipeline = await Pipeline.start();
    // Inside the repository (under the git-ignored .tmp/) so the bundle resolves the AWS SDK
    // from node_modules as Lambda resolves it from the runtime.
    outDir = path.join(__dirname, "..", "..", ".tmp", `function-bundle-${process.pid}`);
    await buildFunction({ outDir });
  });
  after(async () => {
    process.env = { ...saved };
    fs.rmSync(outDir, { recursive: true, force: true });
    try {
      fs.rmdirSync(path.dirname(outDir)); // .tmp/ itself, if this test created it and nothing else is there
    } catch {
      // not empty: someone else's files
    }
    await pipeline?.close();
  });

  it("is a single index.js under 600 KB", () => {
    const files = fs.readdirSync(outDir).sort();
    assert.ok(files.includes("index.js"), `files: ${files}`);
    assert.ok(fs.statSync(path.join(outDir, "index.js")).size < 600 * 1024);
  });

  it("makes thumbnails and a record end to end, configured by the environment", async () => {
    Object.assign(process.env, pipeline.emulators.sdkEnvironment, {
      ENVIRONMENT: "test",
      SOURCE_BUCKET: SOURCE_BUCKET,
      THUMBNAIL_BUCKET: THUMBNAIL_BUCKET,
      METADATA_TABLE: TABLE,
      THUMBNAIL_SIZES: "128,64",
      POWERTOOLS_LOG_LEVEL: "SILENT",
      POWERTOOLS_METRICS_DISABLED: "true",
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built bundle, known only at run time
    const bundle = require(path.join(outDir, "index.js")) as {
      handler: (event: unknown, context?: unknown) => Promise<{ outcomes: { status: string }[] }>;
    };
    const photo = withExifOrientation(await encode(quadrantImage(1200, 800), "image/jpeg"), 8);
    const records = [
      await pipeline.upload("bundle/photo.jpg", photo, "image/jpeg"),
      await pipeline.upload("bundle/alpha.png", await solid(300, 200, "image/png", 0xff000080), "image/png"),
      await pipeline.upload("bundle/scan.tiff", await solid(300, 200, "image/tiff"), "image/tiff"),
      await pipeline.upload("bundle/bomb.png", pngBomb(30000, 30000), "image/png"),
    ];
    const summary = await bundle.handler(event(...records));
    assert.deepStrictEqual(
      summary.outcomes.map((o) => o.status),
      ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED"],
    );
    const photoRecord = await pipeline.record(imageIdOf(records[0]));
    assert.deepStrictEqual(
      photoRecord?.Thumbnails.map((t) => [t.Key.split("/")[1], t.Width, t.Height]),
      [
        ["128.jpg", 85, 128],
        ["64.jpg", 43, 64],
      ],
    );
    const alphaRecord = await pipeline.record(imageIdOf(records[1]));
    assert.strictEqual(alphaRecord?.Thumbnails[0].ContentType, "image/png");
    assert.strictEqual((await pipeline.record(imageIdOf(records[3])))?.Reason, FailureReason.TooManyPixels);
  });
});

describe("the handler's AWS calls", function () {
  this.timeout(60_000);
  let pipeline: Pipeline;
  before(async () => {
    pipeline = await Pipeline.start();
    const good = await pipeline.upload("calls/good.jpg", await solid(300, 300, "image/jpeg"), "image/jpeg");
    const bad = await pipeline.upload("calls/bad.jpg", Buffer.from("nope"));
    await pipeline.invoke(event(good, bad));
    await pipeline.invoke(event(good));
  });
  after(async () => {
    await pipeline?.close();
  });

  it("uses only the actions the execution role grants (contract/permissions.ts)", () => {
    const actionOf: Record<string, string> = {
      GetObjectCommand: "s3:GetObject",
      PutObjectCommand: "s3:PutObject",
      GetItemCommand: "dynamodb:GetItem",
      PutItemCommand: "dynamodb:PutItem",
      HeadObjectCommand: "s3:GetObject",
      ListObjectsV2Command: "s3:ListBucket",
      UpdateItemCommand: "dynamodb:UpdateItem",
    };
    const granted = new Set<string>([
      ...FunctionPermissions.sourceObjects,
      ...FunctionPermissions.thumbnailObjects,
      ...FunctionPermissions.thumbnailBucket,
      ...FunctionPermissions.metadataTable,
    ]);
    assert.ok(pipeline.calls.length > 0);
    for (const call of pipeline.calls) {
      const action = actionOf[call.command];
      assert.ok(action && granted.has(action), `${call.command} is not a granted action`);
    }
  });

  it("reads only from the source bucket, writes only to the thumbnail bucket and the table", () => {
    for (const call of pipeline.calls) {
      if (call.command === "GetObjectCommand") assert.strictEqual(call.input.Bucket, SOURCE_BUCKET);
      if (call.command === "PutObjectCommand") assert.strictEqual(call.input.Bucket, THUMBNAIL_BUCKET);
      if (call.command.endsWith("ItemCommand")) assert.strictEqual(call.input.TableName, TABLE);
    }
  });

  it("writes thumbnails without tagging or ACLs", () => {
    const puts = pipeline.calls.filter((c) => c.command === "PutObjectCommand");
    assert.ok(puts.length > 0);
    for (const put of puts) {
      for (const forbidden of ["Tagging", "ACL", "GrantRead", "GrantFullControl", "GrantReadACP", "GrantWriteACP"]) {
        assert.strictEqual(put.input[forbidden], undefined, `${forbidden} on PutObject`);
      }
    }
  });

  it("reads each upload with If-Match on the event's ETag in an unversioned bucket", () => {
    const gets = pipeline.calls.filter((c) => c.command === "GetObjectCommand");
    assert.ok(gets.length > 0);
    for (const get of gets) assert.match(String(get.input.IfMatch), /^"[0-9a-f]+"$/);
  });
});
