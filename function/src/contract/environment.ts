/**
 * Names of the environment variables through which the stack configures the function. The
 * stack (infra/) sets them and the function reads them; both import these names.
 */
export const EnvVar = {
  /** dev | staging | prod; also the Environment metric dimension. */
  Environment: "ENVIRONMENT",
  /** The bucket uploads arrive in; events from any other bucket are refused. */
  SourceBucket: "SOURCE_BUCKET",
  ThumbnailBucket: "THUMBNAIL_BUCKET",
  MetadataTable: "METADATA_TABLE",
  /** Comma-separated bounding-box sizes in pixels, e.g. "256" or "128,512". */
  ThumbnailSizes: "THUMBNAIL_SIZES",
  /** JPEG quality 1–100 for opaque thumbnails. */
  JpegQuality: "THUMBNAIL_JPEG_QUALITY",
  /** Largest source object, in bytes, the function will read. */
  MaxObjectBytes: "MAX_OBJECT_BYTES",
  /** Largest width × height, read from the image header, the function will decode. */
  MaxImagePixels: "MAX_IMAGE_PIXELS",
  /** Powertools settings (read by Powertools itself). */
  PowertoolsServiceName: "POWERTOOLS_SERVICE_NAME",
  PowertoolsMetricsNamespace: "POWERTOOLS_METRICS_NAMESPACE",
  PowertoolsLogLevel: "POWERTOOLS_LOG_LEVEL",
} as const;
export type EnvVar = (typeof EnvVar)[keyof typeof EnvVar];
