/**
 * Reads the metrics out of a CloudWatch dashboard body the way CloudWatch does: each entry of
 * a metric widget's `metrics` is [namespace, name, dimName, dimValue, ..., {options}], or
 * [{expression, ...}] for math/SEARCH. CloudWatch's "..." shorthand (repeat the previous
 * entry) is refused: this project's bodies spell every metric out.
 */
export interface DashboardMetricRef {
  widget: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat?: string;
  region?: string;
}

export interface DashboardExpressionRef {
  widget: string;
  expression: string;
}

export function metricsOfDashboard(body: any): { metrics: DashboardMetricRef[]; expressions: DashboardExpressionRef[] } {
  const metrics: DashboardMetricRef[] = [];
  const expressions: DashboardExpressionRef[] = [];
  for (const widget of body.widgets ?? []) {
    if (widget.type !== "metric") continue;
    const title = String(widget.properties?.title ?? "");
    for (const entry of widget.properties?.metrics ?? []) {
      if (!Array.isArray(entry)) throw new Error(`widget "${title}": metric entry is not an array: ${JSON.stringify(entry)}`);
      const last = entry[entry.length - 1];
      const options = last !== null && typeof last === "object" ? (last as Record<string, unknown>) : {};
      const parts = (options === last ? entry.slice(0, -1) : entry) as string[];
      if (parts.length === 0) {
        if (typeof options.expression !== "string") throw new Error(`widget "${title}": entry without metric or expression`);
        expressions.push({ widget: title, expression: options.expression });
        continue;
      }
      if (parts.some((p) => p === "..." || p === ".")) {
        throw new Error(`widget "${title}": shorthand entries are not used by this project's dashboards`);
      }
      if (parts.length < 2 || parts.length % 2 !== 0) {
        throw new Error(`widget "${title}": malformed metric entry ${JSON.stringify(entry)}`);
      }
      const dimensions: Record<string, string> = {};
      for (let i = 2; i < parts.length; i += 2) dimensions[parts[i]] = parts[i + 1];
      metrics.push({
        widget: title,
        namespace: parts[0],
        metricName: parts[1],
        dimensions,
        stat: (options.stat as string | undefined) ?? (widget.properties?.stat as string | undefined),
        region: widget.properties?.region,
      });
    }
  }
  return { metrics, expressions };
}

/** Parses `SEARCH('{Namespace,Dim1,Dim2} MetricName="X" Dim="v"', 'Stat', period)`. */
export function parseSearchExpression(expression: string): {
  namespace: string;
  dimensionNames: string[];
  terms: Record<string, string>;
  stat: string;
  period: number;
} {
  const m = /^SEARCH\('\{([^}]*)\}((?:\s+[A-Za-z]+="[^"]*")*)',\s*'([^']+)',\s*(\d+)\)$/.exec(expression);
  if (!m) throw new Error(`not a SEARCH expression of the expected shape: ${expression}`);
  const [namespace, ...dimensionNames] = m[1].split(",");
  const terms: Record<string, string> = {};
  for (const t of m[2].matchAll(/([A-Za-z]+)="([^"]*)"/g)) terms[t[1]] = t[2];
  return { namespace, dimensionNames, terms, stat: m[3], period: Number(m[4]) };
}
