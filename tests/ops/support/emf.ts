/**
 * Captures what a piece of code writes (where Powertools writes EMF and JSON logs) and reads
 * the Embedded Metric Format out of it.
 */

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

/** One metric as CloudWatch stores it from an EMF blob: namespace, name, one dimension set with its values. */
export interface EmittedMetric {
  namespace: string;
  metricName: string;
  unit?: string;
  /** Dimension name → value, exactly the names of one of the blob's dimension sets. */
  dimensions: Record<string, string>;
}

/** Every (metric × dimension set) the EMF lines among `lines` publish; other lines are ignored. */
export function emittedMetrics(lines: string[]): EmittedMetric[] {
  const out: EmittedMetric[] = [];
  for (const line of lines) {
    let blob: any;
    try {
      blob = JSON.parse(line);
    } catch {
      continue;
    }
    const directives = blob?._aws?.CloudWatchMetrics;
    if (!Array.isArray(directives)) continue;
    for (const d of directives) {
      for (const set of d.Dimensions as string[][]) {
        const dimensions: Record<string, string> = {};
        for (const name of set) {
          if (typeof blob[name] !== "string") throw new Error(`EMF blob names dimension ${name} without a string value: ${line}`);
          dimensions[name] = blob[name];
        }
        for (const m of d.Metrics as { Name: string; Unit?: string }[]) {
          if (blob[m.Name] === undefined) throw new Error(`EMF blob declares metric ${m.Name} without a value: ${line}`);
          out.push({ namespace: d.Namespace, metricName: m.Name, unit: m.Unit, dimensions });
        }
      }
    }
  }
  return out;
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
export function findEmitted(emitted: EmittedMetric[], watched: WatchedMetric): EmittedMetric | undefined {
  const names = Object.keys(watched.dimensions).sort();
  return emitted.find(
    (e) =>
      e.namespace === watched.namespace &&
      e.metricName === watched.metricName &&
      Object.keys(e.dimensions).sort().join("\u0000") === names.join("\u0000") &&
      names.every((n) => e.dimensions[n] === watched.dimensions[n]),
  );
}
