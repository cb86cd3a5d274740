/**
 * Captures what a piece of code writes (where Powertools writes EMF and JSON logs), and matches
 * what it emitted (read by local/emf.ts's parseEmf) against what alarms and the dashboard watch.
 */
import type { EmfDatapoint } from "../../../local/emf";

/**
 * Runs `body` with process.stdout and process.stderr captured (Powertools Logger writes WARN
 * and ERROR lines to stderr; in Lambda both streams end in the function's log group); returns
 * the lines written to either.
 */
export async function captureOutput<T>(body: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  for (const stream of streams) {
    stream.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      callback?.();
      return true;
    };
  }
  try {
    const result = await body();
    return {
      result,
      lines: chunks
        .join("")
        .split("\n")
        .filter((l) => l.trim() !== ""),
    };
  } finally {
    streams.forEach((stream, i) => (stream.write = originals[i]));
  }
}

/** What an alarm (or dashboard entry) watches: CloudWatch matches all of it exactly. */
export interface WatchedMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

/**
 * The emitted metric a watcher would receive data from, or undefined. CloudWatch matches the
 * namespace, the name and the whole dimension set (names and values), nothing less.
 */
export function findEmitted(emitted: EmfDatapoint[], watched: WatchedMetric): EmfDatapoint | undefined {
  const names = Object.keys(watched.dimensions).sort();
  return emitted.find(
    (e) =>
      e.namespace === watched.namespace &&
      e.name === watched.metricName &&
      Object.keys(e.dimensions).sort().join("\u0000") === names.join("\u0000") &&
      names.every((n) => e.dimensions[n] === watched.dimensions[n]),
  );
}
