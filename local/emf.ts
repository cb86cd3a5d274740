/**
 * Reads CloudWatch Embedded Metric Format documents out of the function's captured stdout, the
 * way CloudWatch Logs would, and totals them for the summary.
 */
import { STANDARD_DIMENSIONS } from "../contract/metrics";

export interface EmfDatapoint {
  namespace: string;
  name: string;
  unit: string;
  values: number[];
  dimensions: Record<string, string>;
}

interface EmfDocument {
  _aws?: {
    CloudWatchMetrics?: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit?: string }>;
    }>;
  };
  [key: string]: unknown;
}

/**
 * Every metric datapoint in the output, one per metric and dimension set, as CloudWatch stores
 * them (a blob with two dimension sets publishes each metric twice). Lines that are not EMF JSON
 * are skipped; with `strict`, an EMF blob that names a dimension without a string value or a
 * metric without a value is an error (CloudWatch would drop it), which the metrics-contract tests rely on.
 */
export function parseEmf(output: string, options: { strict?: boolean } = {}): EmfDatapoint[] {
  const points: EmfDatapoint[] = [];
  for (const line of output.split("\n")) {
    const start = line.indexOf("{");
    if (start < 0 || !line.includes("CloudWatchMetrics")) continue;
    let document: EmfDocument;
    try {
      document = JSON.parse(line.slice(start)) as EmfDocument;
    } catch {
      continue;
    }
    const invalid = (what: string) => {
      if (options.strict) throw new Error(`EMF blob ${what}: ${line}`);
    };
    for (const directive of document._aws?.CloudWatchMetrics ?? []) {
      for (const set of directive.Dimensions) {
        const dimensions: Record<string, string> = {};
        for (const name of set) {
          if (typeof document[name] !== "string") invalid(`names dimension ${name} without a string value`);
          dimensions[name] = String(document[name]);
        }
        for (const metric of directive.Metrics) {
          const raw = document[metric.Name];
          if (raw === undefined) invalid(`declares metric ${metric.Name} without a value`);
          const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === "number");
          points.push({ namespace: directive.Namespace, name: metric.Name, unit: metric.Unit ?? "None", values, dimensions });
        }
      }
    }
  }
  return points;
}

export interface MetricTotal {
  namespace: string;
  name: string;
  unit: string;
  /** Dimensions beyond the standard set (e.g. Reason), which break a metric down. */
  dimensions: Record<string, string>;
  sampleCount: number;
  sum: number;
  min: number;
  max: number;
}

export class MetricTotals {
  private readonly totals = new Map<string, MetricTotal>();

  add(points: EmfDatapoint[]): void {
    for (const point of points) {
      const extra: Record<string, string> = {};
      for (const [name, value] of Object.entries(point.dimensions)) {
        if (!(STANDARD_DIMENSIONS as readonly string[]).includes(name)) extra[name] = value;
      }
      const key = JSON.stringify([point.namespace, point.name, Object.entries(extra).sort()]);
      let total = this.totals.get(key);
      if (!total) {
        total = {
          namespace: point.namespace,
          name: point.name,
          unit: point.unit,
          dimensions: extra,
          sampleCount: 0,
          sum: 0,
          min: Infinity,
          max: -Infinity,
        };
        this.totals.set(key, total);
      }
      for (const value of point.values) {
        total.sampleCount++;
        total.sum += value;
        total.min = Math.min(total.min, value);
        total.max = Math.max(total.max, value);
      }
    }
  }

  list(): MetricTotal[] {
    return [...this.totals.values()].sort(
      (a, b) => a.name.localeCompare(b.name) || JSON.stringify(a.dimensions).localeCompare(JSON.stringify(b.dimensions)),
    );
  }
}
