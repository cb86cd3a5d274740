/**
 * npm run backfill: a source bucket of mixed objects on s3rver, records in dynalite written by
 * the real handler, and the backfill's invocations delivered to the real handler.
 */
import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Pipeline, event, SOURCE_BUCKET, TABLE } from "../function/support/pipeline";
import { solid } from "../function/support/images";
import { backfill, main, type BackfillOptions } from "../../tools/ops/backfill";
import { attemptSpecOf, renditionSpecOf } from "../../contract/renditionSpec";
import { attemptLimitsOf } from "../../function/src/config";
import { RecordStatus } from "../../contract/record";
import { FailureReason } from "../../contract/failureReasons";
import { EnvVar } from "../../contract/environment";
import { parseS3Event } from "../../function/src/adapters/s3Event";
import { UsageError } from "../../tools/cli";

describe("npm run backfill", function () {
  this.timeout(120_000);
  let pipeline: Pipeline;
  let photo: Buffer;
  /** Every S3 command the backfill itself sent. */
  const backfillS3Calls: { command: string; bucket: unknown }[] = [];
  /** The emulators' S3 client, recording what the backfill sends through it. */
  const backfillS3 = () =>
    new Proxy(pipeline.emulators.s3, {
      get(target, prop, receiver) {
        if (prop !== "send") return Reflect.get(target, prop, receiver) as unknown;
        return (command: { constructor: { name: string }; input: { Bucket?: unknown } }) => {
          backfillS3Calls.push({ command: command.constructor.name, bucket: command.input.Bucket });
          return target.send(command as never);
        };
      },
    });

  before(async () => {
    pipeline = await Pipeline.start({ thumbnailSizes: [128] });
    photo = await solid(320, 240, "image/jpeg");
    // Uploaded while no function listened: no record at all.
    await pipeline.emulators.s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: "bf/untouched.jpg", Body: photo }));
    // Made with the current settings.
    await pipeline.invoke(event(await pipeline.upload("bf/current.jpg", photo, "image/jpeg")));
    // Made when the stack had other thumbnail sizes.
    await pipeline.invoke(event(await pipeline.upload("bf/old.jpg", photo, "image/jpeg")), { thumbnailSizes: [64] });
    // Refused by a pixel limit since raised.
    await pipeline.invoke(event(await pipeline.upload("bf/toobig.jpg", photo, "image/jpeg")), { maxImagePixels: 1000 });
    // Corrupt for good.
    await pipeline.invoke(event(await pipeline.upload("bf/corrupt.jpg", Buffer.from("not a jpeg"))));
    await pipeline.emulators.s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: "bf/folder/", Body: Buffer.alloc(0) }));
  });
  after(async () => {
    await pipeline?.close();
  });

  const options = (extra: Partial<BackfillOptions> = {}): BackfillOptions => ({
    sourceBucket: SOURCE_BUCKET,
    tableName: TABLE,
    region: pipeline.emulators.region,
    spec: renditionSpecOf(pipeline.config),
    attemptSpec: attemptSpecOf({ ...pipeline.config, ...attemptLimitsOf(pipeline.config) }),
    prefix: "bf/",
    ratePerSecond: 1000,
    retryFailed: true,
    dryRun: false,
    ...extra,
  });

  /** Runs a backfill whose invocations go to the real handler; returns the keys it invoked for. */
  async function run(extra: Partial<BackfillOptions> = {}, clock?: { now: () => number; sleep: (ms: number) => Promise<void> }) {
    const invokedKeys: string[] = [];
    const invokedAt: number[] = [];
    const lines: string[] = [];
    const summary = await backfill(options(extra), {
      s3: backfillS3(),
      dynamo: pipeline.emulators.dynamo,
      log: (line) => lines.push(line),
      ...clock,
      invoke: async (backfillEvent) => {
        invokedAt.push(clock?.now() ?? Date.now());
        invokedKeys.push(...parseS3Event(backfillEvent).uploads.map((u) => u.key));
        await pipeline.invoke(backfillEvent);
      },
    });
    return { summary, invokedKeys, invokedAt, lines };
  }

  it("counts what it would do, and its cost, in a dry run, and invokes nothing", async () => {
    const before = await pipeline.records();
    const { summary, invokedKeys, lines } = await run({ dryRun: true });
    assert.deepStrictEqual(invokedKeys, []);
    assert.deepStrictEqual(summary.toInvoke, { missing: 1, stale: 1, "retry-failed": 1 });
    assert.deepStrictEqual(summary.skipped, { current: 1, failed: 1, folder: 1 });
    assert.ok(summary.estimatedCostUsd.low > 0 && summary.estimatedCostUsd.high >= summary.estimatedCostUsd.low);
    assert.match(lines.join("\n"), /would invoke 3 \(missing 1, stale 1, retry-failed 1\)/);
    assert.deepStrictEqual(await pipeline.records(), before);
  });

  it("leaves FAILED uploads alone without --retry-failed", async () => {
    const { summary } = await run({ dryRun: true, retryFailed: false });
    assert.deepStrictEqual(summary.toInvoke, { missing: 1, stale: 1, "retry-failed": 0 });
    assert.strictEqual(summary.skipped.failed, 2);
  });

  it("resumes after --from, and stops at --limit saying where to resume", async () => {
    const resumed = await run({ dryRun: true, from: "bf/old.jpg" });
    assert.deepStrictEqual(resumed.summary.toInvoke, { missing: 1, stale: 0, "retry-failed": 1 }, "toobig.jpg and untouched.jpg only");
    const limited = await run({ dryRun: false, limit: 1, ratePerSecond: 1000 });
    assert.strictEqual(limited.summary.invoked, 1);
    assert.strictEqual(limited.summary.stoppedAtLimit, true);
    assert.match(limited.lines.join("\n"), /resume with --from "bf\/[^"]+"/);
  });

  it("invokes exactly for the missing, stale and retryable objects, at the rate asked, and the function makes them current", async () => {
    let virtual = 0;
    const clock = { now: () => virtual, sleep: async (ms: number) => void (virtual += ms) };
    const { summary, invokedKeys, invokedAt } = await run({ ratePerSecond: 2 }, clock);

    // The previous test's --limit already did the first of these (old.jpg, in key order).
    assert.deepStrictEqual(invokedKeys.sort(), ["bf/toobig.jpg", "bf/untouched.jpg"]);
    assert.strictEqual(summary.invoked, 2);
    for (let i = 1; i < invokedAt.length; i++) assert.ok(invokedAt[i] - invokedAt[i - 1] >= 500, `invocation ${i} at ${invokedAt[i]}`);

    const records = await pipeline.records();
    const bySource = (key: string) => records.filter((r) => r.SourceKey === key);
    const spec = renditionSpecOf(pipeline.config);
    for (const key of ["bf/untouched.jpg", "bf/old.jpg", "bf/toobig.jpg"]) {
      const succeeded = bySource(key).filter((r) => r.Status === RecordStatus.Succeeded);
      assert.strictEqual(succeeded.length, 1, `${key}: one current record`);
      assert.strictEqual(succeeded[0].RenditionSpec, spec, key);
      assert.strictEqual(succeeded[0].EventName, "ObjectCreated:Backfill");
      for (const t of succeeded[0].Thumbnails) assert.ok(await pipeline.thumbnailExists(t.Key), t.Key);
    }
    const old = bySource("bf/old.jpg").find((r) => r.Status === RecordStatus.Replaced);
    assert.ok(old?.ThumbnailsRemovedAt, "the stale thumbnails are replaced and deleted");
    assert.strictEqual(bySource("bf/toobig.jpg").find((r) => r.Status === RecordStatus.Failed)?.Reason, FailureReason.TooManyPixels);
    assert.strictEqual(bySource("bf/corrupt.jpg")[0].Status, RecordStatus.Failed);
  });

  it("finds nothing to do when run again", async () => {
    const { summary, invokedKeys } = await run();
    assert.deepStrictEqual(invokedKeys, []);
    assert.deepStrictEqual(summary.toInvoke, { missing: 0, stale: 0, "retry-failed": 0 });
    assert.strictEqual(summary.skipped.current, 4);
  });

  it("builds the same event, hence the same ImageID, for an object whose invocation has not run yet", async () => {
    await pipeline.emulators.s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: "bf2/pending.jpg", Body: photo }));
    const events: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      await backfill(options({ prefix: "bf2/" }), {
        s3: backfillS3(),
        dynamo: pipeline.emulators.dynamo,
        log: () => {},
        invoke: async (e) => void events.push(e),
      });
    }
    assert.strictEqual(events.length, 2);
    assert.deepStrictEqual(events[0], events[1]);
    await pipeline.invoke(events[0]);
    const second = await pipeline.invoke(events[1]);
    assert.deepStrictEqual(
      second.outcomes.map((o) => o.status),
      ["DUPLICATE"],
    );
  });

  describe("the command", () => {
    const lambda = new LambdaClient({ region: "us-east-1" });
    const lambdaMock = mockClient(lambda);
    after(() => lambdaMock.restore());
    const outputs = () => ({
      sourceBucketName: SOURCE_BUCKET,
      metadataTableName: TABLE,
      thumbnailFunctionName: "thumbs-fn",
      region: pipeline.emulators.region,
    });

    it("refuses to run without a stack, naming the option", async () => {
      await assert.rejects(
        main([], { readOutputs: outputs, log: () => {} }),
        (err: Error) => err instanceof UsageError && /--stack <name>/.test(err.message),
      );
    });

    it("reads the function's settings from its environment and invokes it asynchronously for each object to do", async () => {
      await pipeline.emulators.s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: "bf3/new.jpg", Body: photo }));
      lambdaMock.on(GetFunctionConfigurationCommand).resolves({
        Environment: {
          Variables: {
            [EnvVar.Environment]: "test",
            [EnvVar.SourceBucket]: SOURCE_BUCKET,
            [EnvVar.ThumbnailBucket]: "t",
            [EnvVar.MetadataTable]: TABLE,
            [EnvVar.ThumbnailSizes]: "128",
            [EnvVar.JpegQuality]: String(pipeline.config.jpegQuality),
          },
        },
      });
      lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
      const lines: string[] = [];
      const code = await main(["--stack", "test", "--prefix", "bf3/"], {
        readOutputs: outputs,
        clients: () => ({ s3: backfillS3(), dynamo: pipeline.emulators.dynamo, lambda }),
        log: (line) => lines.push(line),
      });
      assert.strictEqual(code, 0);
      const invokes = lambdaMock.commandCalls(InvokeCommand);
      assert.strictEqual(invokes.length, 1);
      assert.strictEqual(invokes[0].args[0].input.InvocationType, "Event");
      assert.strictEqual(invokes[0].args[0].input.FunctionName, "thumbs-fn");
      const sent = JSON.parse(Buffer.from(invokes[0].args[0].input.Payload as Uint8Array).toString("utf8"));
      assert.deepStrictEqual(
        parseS3Event(sent).uploads.map((u) => u.key),
        ["bf3/new.jpg"],
      );
      assert.match(lines.join("\n"), /invoked 1 \(missing 1/);
    });
  });

  it("only ever lists the source bucket: it writes nothing there, so it cannot trigger itself", () => {
    assert.ok(backfillS3Calls.length > 0);
    assert.deepStrictEqual(
      [...new Set(backfillS3Calls.map((c) => `${c.command} ${String(c.bucket)}`))],
      [`ListObjectsV2Command ${SOURCE_BUCKET}`],
    );
  });
});
