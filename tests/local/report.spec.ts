import { strict as assert } from "assert";
import { formatSummary, summarize, type ImageResult } from "../../local/report";

const image = (key: string, status: ImageResult["status"], durationMs: number, extra: Partial<ImageResult> = {}): ImageResult => ({
  key,
  imageId: null,
  status,
  reason: status === "FAILED" ? "CorruptImage" : null,
  width: null,
  height: null,
  thumbnails: [],
  durationMs,
  attempts: 1,
  ...extra,
});

const run = {
  stack: "dev",
  wallSeconds: 2,
  concurrency: 2,
  coldStarts: 2,
  peakContainerMemoryBytes: 100 * 2 ** 20,
  peakRunnerMemoryBytes: 200 * 2 ** 20,
  functionMemoryMb: 1280,
  metrics: [],
};

describe("local run summary", () => {
  it("counts images, failures by reason and handler errors, and times only images the function saw", () => {
    const summary = summarize(
      [
        image("a", "SUCCEEDED", 100),
        image("b", "SUCCEEDED", 300),
        image("c", "FAILED", 200),
        image("d", "FAILED", 0, { reason: "UploadError", attempts: 0, error: "too long" }),
        image("e", "FAILED", 50, { reason: "HandlerError", attempts: 3, error: "TransientError: throttled" }),
      ],
      run,
    );
    assert.deepEqual([summary.images, summary.succeeded, summary.failed], [5, 2, 3]);
    assert.deepEqual(summary.failedByReason, { CorruptImage: 1, UploadError: 1, HandlerError: 1 });
    assert.deepEqual(summary.errors.map((e) => e.error).sort(), ["TransientError: throttled", "too long"]);
    assert.deepEqual(summary.durationMs, { p50: 100, p95: 300, max: 300 });
    assert.equal(summary.imagesPerSecond, 2.5);
  });

  it("warns when a container used more memory than the function is given, which Lambda would not allow", () => {
    const within = formatSummary(summarize([image("a", "SUCCEEDED", 1)], run));
    assert.doesNotMatch(within, /WARNING/);
    const over = formatSummary(summarize([image("a", "SUCCEEDED", 1)], { ...run, peakContainerMemoryBytes: 1300 * 2 ** 20 }));
    assert.match(over, /WARNING: a container used more than the configured 1280 MB/);
  });
});
