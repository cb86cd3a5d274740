/**
 * The function's CloudWatch metrics: the one definition that the function (which emits them
 * through Powertools EMF) and the stack's alarms and dashboard (which read them) both import.
 * If the two sides disagreed on a name or a dimension set, an alarm would watch a metric that
 * never receives data and would never fire.
 */

/** CloudWatch namespace of every custom metric. */
export const METRICS_NAMESPACE = "ThumbnailPipeline";

/**
 * Powertools' `serviceName`; Powertools adds it to every metric as the `service` dimension,
 * so alarms must name it too.
 */
export const SERVICE_NAME = "thumbnailer";

export const MetricName = {
  /** Count of source images that ended with a SUCCEEDED record. */
  ImagesProcessed: "ImagesProcessed",
  /** Count of source images that ended with a FAILED record (permanent failures). */
  ImagesFailed: "ImagesFailed",
  /** Milliseconds from reading the source object to writing the metadata record, per image. */
  ProcessingDuration: "ProcessingDuration",
  /** Bytes of source images read. */
  SourceBytes: "SourceBytes",
  /** Bytes of thumbnails written. */
  ThumbnailBytes: "ThumbnailBytes",
  /** Count of uploads whose record became DELETED (their source object was deleted). */
  ImagesDeleted: "ImagesDeleted",
  /** Count of uploads whose record became REPLACED (a newer upload of the key succeeded). */
  ImagesReplaced: "ImagesReplaced",
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** CloudWatch units, spelled as CloudWatch and Powertools spell them. */
export const MetricUnit: Record<MetricName, "Count" | "Milliseconds" | "Bytes"> = {
  ImagesProcessed: "Count",
  ImagesFailed: "Count",
  ProcessingDuration: "Milliseconds",
  SourceBytes: "Bytes",
  ThumbnailBytes: "Bytes",
  ImagesDeleted: "Count",
  ImagesReplaced: "Count",
};

export const Dimension = {
  /** Added by Powertools from SERVICE_NAME. */
  Service: "service",
  /** The stack's environment (dev | staging | prod), a default dimension set by the function. */
  Environment: "Environment",
  /** Failure reason; only on the per-reason copy of ImagesFailed (see below). */
  Reason: "Reason",
} as const;

/**
 * The dimension set every metric above is emitted with, and therefore the one alarms and the
 * dashboard must use. CloudWatch does not aggregate across dimension sets for alarms.
 */
export const STANDARD_DIMENSIONS = [Dimension.Service, Dimension.Environment] as const;

/**
 * ImagesFailed is additionally emitted once per failure with {service, Environment, Reason}
 * (a Powertools single metric), so the dashboard can break failures down by reason while the
 * alarm watches the total on STANDARD_DIMENSIONS.
 */
export const REASON_DIMENSIONS = [Dimension.Service, Dimension.Environment, Dimension.Reason] as const;

/** Values of STANDARD_DIMENSIONS for one stack. */
export function standardDimensionValues(environment: string): Record<(typeof STANDARD_DIMENSIONS)[number], string> {
  return { [Dimension.Service]: SERVICE_NAME, [Dimension.Environment]: environment };
}
