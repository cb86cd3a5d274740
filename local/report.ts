/**
 * The outcome of a run: one entry per input image and a summary, as the machine-readable
 * report (--report) and as the text printed at the end.
 */
import type { MetricTotal } from "./emf";
import type { ThumbnailFacts } from "./records";

/** The record's status; DELETED once the file was removed (--watch) and its thumbnails with it. */
export type ImageStatus = "SUCCEEDED" | "FAILED" | "DELETED" | "REPLACED";

export interface ImageResult {
  key: string;
  imageId: string | null;
  status: ImageStatus;
  reason: string | null;
  width: number | null;
  height: number | null;
  thumbnails: Array<Required<Pick<ThumbnailFacts, "key">> & { width: number | null; height: number | null; bytes: number | null }>;
  /** Handler time of the last invocation for this image. */
  durationMs: number;
  /** Invocations it took (Lambda retries a throwing handler twice). */
  attempts: number;
  /** Set when no invocation succeeded: the error the handler ended with. */
  error?: string;
}

export interface Summary {
  stack: string;
  images: number;
  succeeded: number;
  failed: number;
  failedByReason: Record<string, number>;
  /** Distinct errors of images no invocation completed, most frequent first. */
  errors: Array<{ error: string; count: number }>;
  durationMs: { p50: number; p95: number; max: number };
  imagesPerSecond: number;
  wallSeconds: number;
  concurrency: number;
  coldStarts: number;
  /** Largest resident memory of any function container (Lambda's "Max Memory Used"). */
  peakContainerMemoryBytes: number;
  /** Largest resident memory of this runner process (emulators included). */
  peakRunnerMemoryBytes: number;
  functionMemoryMb: number;
  metrics: MetricTotal[];
  /** Invocations that were retries of a failed one. */
  retries?: number;
  /** Events whose every attempt failed: in AWS, messages in the dead-letter queue. */
  deadLetters?: number;
  /** With --faults: the spec, the seed and how many faults of each kind were injected. */
  faults?: { spec: string; seed: number; injected: Record<string, number> };
}

export interface Report {
  summary: Summary;
  images: ImageResult[];
}

/** Nearest-rank percentile; 0 for no samples. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export function summarize(
  images: ImageResult[],
  run: Omit<Summary, "images" | "succeeded" | "failed" | "failedByReason" | "errors" | "durationMs" | "imagesPerSecond">,
): Summary {
  const failedByReason: Record<string, number> = {};
  for (const image of images) {
    if (image.status === "FAILED") {
      const reason = image.reason ?? "unknown";
      failedByReason[reason] = (failedByReason[reason] ?? 0) + 1;
    }
  }
  const errorCounts = new Map<string, number>();
  for (const image of images) if (image.error) errorCounts.set(image.error, (errorCounts.get(image.error) ?? 0) + 1);
  const errors = [...errorCounts].map(([error, count]) => ({ error, count })).sort((a, b) => b.count - a.count);
  // Images never delivered to the function (attempts 0) have no handler time.
  const durations = images.filter((image) => image.attempts > 0).map((image) => image.durationMs);
  return {
    ...run,
    images: images.length,
    succeeded: images.filter((image) => image.status === "SUCCEEDED").length,
    failed: images.filter((image) => image.status === "FAILED").length,
    failedByReason,
    errors,
    durationMs: { p50: round(percentile(durations, 50)), p95: round(percentile(durations, 95)), max: round(percentile(durations, 100)) },
    imagesPerSecond: run.wallSeconds > 0 ? round(images.length / run.wallSeconds, 2) : 0,
    wallSeconds: round(run.wallSeconds, 2),
  };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function metricLine(metric: MetricTotal): string {
  const dims = Object.entries(metric.dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  const name = dims ? `${metric.name} {${dims}}` : metric.name;
  const unit = metric.unit === "Count" ? "" : ` ${metric.unit}`;
  if (metric.unit === "Count" || metric.unit === "Bytes") return `    ${name}: ${round(metric.sum, 0)}${unit}`;
  return `    ${name}: n=${metric.sampleCount} avg=${round(metric.sum / Math.max(1, metric.sampleCount))} max=${round(metric.max)}${unit}`;
}

export function formatSummary(summary: Summary): string {
  const lines = [`Stack ${summary.stack}: ${summary.images} images, ${summary.succeeded} succeeded, ${summary.failed} failed`];
  for (const [reason, count] of Object.entries(summary.failedByReason).sort((a, b) => b[1] - a[1])) {
    lines.push(`    failed ${reason}: ${count}`);
  }
  for (const { error, count } of summary.errors.slice(0, 5)) {
    lines.push(`    ${count} × ${error.length > 160 ? `${error.slice(0, 160)}…` : error}`);
  }
  if (summary.errors.length) lines.push("    (each image's function output is in <out>/logs/)");
  lines.push(
    `  per image: p50 ${summary.durationMs.p50} ms, p95 ${summary.durationMs.p95} ms, max ${summary.durationMs.max} ms`,
    `  throughput: ${summary.imagesPerSecond} images/s over ${summary.wallSeconds} s at concurrency ${summary.concurrency} (${summary.coldStarts} cold starts)`,
    `  peak memory: ${mb(summary.peakContainerMemoryBytes)} per function container (configured ${summary.functionMemoryMb} MB), ${mb(summary.peakRunnerMemoryBytes)} runner`,
  );
  if (summary.peakContainerMemoryBytes > summary.functionMemoryMb * 1024 * 1024) {
    // Not enforced locally; Lambda would have ended the invocation ("Runtime exited ... out of memory").
    lines.push(
      `    WARNING: a container used more than the configured ${summary.functionMemoryMb} MB; in Lambda that invocation would fail`,
    );
  }
  if (summary.retries || summary.deadLetters) {
    lines.push(`  retries: ${summary.retries ?? 0}; dead-lettered events: ${summary.deadLetters ?? 0}`);
  }
  if (summary.faults) {
    const injected = Object.entries(summary.faults.injected)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(", ");
    lines.push(`  faults injected (${summary.faults.spec}, seed ${summary.faults.seed}): ${injected}`);
  }
  if (summary.metrics.length) {
    lines.push("  metrics the function emitted (EMF):");
    for (const metric of summary.metrics) lines.push(metricLine(metric));
  } else {
    lines.push("  metrics the function emitted (EMF): none");
  }
  return lines.join("\n");
}
