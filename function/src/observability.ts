/**
 * Logs and metrics through Powertools for AWS Lambda: JSON log lines, and metrics in
 * Embedded Metric Format on stdout. Names and dimensions come from contract/metrics.ts.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Dimension, MetricName, MetricUnit, METRICS_NAMESPACE, SERVICE_NAME } from "../../contract/metrics";
import type { FailureReason } from "../../contract/failureReasons";

export function createLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAME });
}

export function createMetrics(environment: string): Metrics {
  return new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: SERVICE_NAME,
    defaultDimensions: { [Dimension.Environment]: environment },
  });
}

/** The function's metrics, named once. */
export class PipelineMetrics {
  constructor(readonly metrics: Metrics) {}

  succeeded(durationMs: number, sourceBytes: number, thumbnailBytes: number): void {
    this.metrics.addMetric(MetricName.ImagesProcessed, MetricUnit.ImagesProcessed, 1);
    this.metrics.addMetric(MetricName.ProcessingDuration, MetricUnit.ProcessingDuration, durationMs);
    this.metrics.addMetric(MetricName.SourceBytes, MetricUnit.SourceBytes, sourceBytes);
    this.metrics.addMetric(MetricName.ThumbnailBytes, MetricUnit.ThumbnailBytes, thumbnailBytes);
  }

  /** An upload's record became DELETED or REPLACED. */
  retired(status: "DELETED" | "REPLACED"): void {
    const name = status === "DELETED" ? MetricName.ImagesDeleted : MetricName.ImagesReplaced;
    this.metrics.addMetric(name, MetricUnit[name], 1);
  }

  failed(reason: FailureReason, durationMs: number, sourceBytes: number): void {
    this.metrics.addMetric(MetricName.ImagesFailed, MetricUnit.ImagesFailed, 1);
    this.metrics.addMetric(MetricName.ProcessingDuration, MetricUnit.ProcessingDuration, durationMs);
    if (sourceBytes > 0) this.metrics.addMetric(MetricName.SourceBytes, MetricUnit.SourceBytes, sourceBytes);
    // The per-reason copy: its own EMF blob with the Reason dimension (contract: REASON_DIMENSIONS).
    const single = this.metrics.singleMetric();
    single.addDimension(Dimension.Reason, reason);
    single.addMetric(MetricName.ImagesFailed, MetricUnit.ImagesFailed, 1);
  }

  /** Flushes what the invocation stored; called once per invocation, also when it throws. */
  publish(): void {
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}
