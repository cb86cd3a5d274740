/**
 * The time guard: the handler hands Lambda's deadline (context.getRemainingTimeInMillis) down,
 * and an image that cannot be finished before it (less the margin kept for its record) is
 * stopped and recorded, or left for the retry when earlier uploads of the event used the time.
 * Real handler against s3rver and dynalite, with a short fake deadline.
 */
import * as assert from "assert";
import { Pipeline, event, imageIdOf } from "./support/pipeline";
import { solid } from "./support/images";
import { FailureReason, isFinalReason } from "../../contract/failureReasons";
import { RECORD_SAFETY_MARGIN_MS } from "../../function/src/handler";

/** A context whose deadline is `ms` from now, as Lambda's counts down. */
function deadlineIn(ms: number) {
  const at = Date.now() + ms;
  return { getRemainingTimeInMillis: () => at - Date.now() };
}

describe("time guard: work stops before the invocation's deadline", function () {
  this.timeout(60_000);
  let pipeline: Pipeline;
  let photo: Buffer;

  before(async () => {
    pipeline = await Pipeline.start();
    // Big enough that decoding and resizing it take far more than the 1 ms left below.
    photo = await solid(3000, 2000, "image/jpeg");
  });
  after(async () => {
    await pipeline?.close();
  });

  it("records an image that cannot finish in the invocation's time as a final ProcessingTimeout, and the invocation succeeds", async () => {
    const upload = await pipeline.upload("slow/alone.jpg", photo, "image/jpeg");
    const summary = await pipeline.invoke(event(upload), {}, {}, deadlineIn(RECORD_SAFETY_MARGIN_MS + 1));
    assert.deepStrictEqual(
      summary.outcomes.map((o) => [o.status, "reason" in o ? o.reason : undefined]),
      [["FAILED", FailureReason.ProcessingTimeout]],
    );
    const record = await pipeline.record(imageIdOf(upload));
    assert.strictEqual(record?.Status, "FAILED");
    assert.strictEqual(record.Reason, FailureReason.ProcessingTimeout);
    assert.match(record.ErrorMessage ?? "", /invocation's time/);
    assert.deepStrictEqual(record.Thumbnails, []);
    assert.strictEqual(isFinalReason(FailureReason.ProcessingTimeout), true);
    // Final: another delivery does not spend the time again.
    const again = await pipeline.invoke(event(upload));
    assert.deepStrictEqual(
      again.outcomes.map((o) => o.status),
      ["DUPLICATE"],
    );
  });

  it("leaves an image for the retry when earlier uploads of the event used the time, and the retry finishes it", async () => {
    const first = await pipeline.upload("slow/first.jpg", await solid(400, 300, "image/jpeg"), "image/jpeg");
    const second = await pipeline.upload("slow/second.jpg", photo, "image/jpeg");
    // The first upload's record write is slow: it uses the whole invocation's time (the first image has time to spare for a fresh decoder thread to start).
    let delayed = false;
    const dynamo = pipeline.emulators.dynamo;
    const slowDynamo = new Proxy(dynamo, {
      get(target, prop, receiver) {
        if (prop !== "send") return Reflect.get(target, prop, receiver);
        return async (command: { constructor: { name: string } }) => {
          if (!delayed && command.constructor.name === "PutItemCommand") {
            delayed = true;
            await new Promise((resolve) => setTimeout(resolve, 6_000));
          }
          return (target.send as (c: unknown) => Promise<unknown>)(command);
        };
      },
    });
    await assert.rejects(
      pipeline.invoke(event(first, second), {}, { dynamo: slowDynamo }, deadlineIn(RECORD_SAFETY_MARGIN_MS + 5_000)),
      /1 of 2 records failed transiently.*earlier uploads of this event used the invocation's time/,
    );
    assert.strictEqual((await pipeline.record(imageIdOf(first)))?.Status, "SUCCEEDED");
    assert.strictEqual(await pipeline.record(imageIdOf(second)), undefined, "no record: left for the retry");
    const retry = await pipeline.invoke(event(first, second), {}, {}, deadlineIn(60_000));
    assert.deepStrictEqual(
      retry.outcomes.map((o) => o.status),
      ["DUPLICATE", "SUCCEEDED"],
    );
  });

  it("finishes images that fit in the time left as before", async () => {
    const upload = await pipeline.upload("slow/fits.jpg", photo, "image/jpeg");
    const summary = await pipeline.invoke(event(upload), {}, {}, deadlineIn(60_000));
    assert.deepStrictEqual(
      summary.outcomes.map((o) => o.status),
      ["SUCCEEDED"],
    );
  });
});
