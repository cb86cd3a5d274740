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
  /**
   * The renditions as JSON (contract/renditions.ts), set only when the stack's renditions key
   * is; THUMBNAIL_SIZES is then unset (both set is an error).
   */
  Renditions: "RENDITIONS",
  /** JPEG quality 1–100 for opaque thumbnails. */
  JpegQuality: "THUMBNAIL_JPEG_QUALITY",
  /** WebP quality 1–100; set with RENDITIONS only (a thumbnailSizes stack makes no WebP). */
  WebpQuality: "THUMBNAIL_WEBP_QUALITY",
  /** Largest source object, in bytes, the function will read. */
  MaxObjectBytes: "MAX_OBJECT_BYTES",
  /** Largest width × height, read from the image header, the function will decode. */
  MaxImagePixels: "MAX_IMAGE_PIXELS",
  /** Milliseconds one image's decode may take before it is stopped (DecodeTimeout); the stack derives it from the function timeout. */
  DecodeTimeoutMs: "DECODE_TIMEOUT_MS",
  /** "true" keeps a replaced upload's thumbnails (its record still becomes REPLACED); "false", the default, deletes them. */
  KeepReplacedThumbnails: "KEEP_REPLACED_THUMBNAILS",
  /** Powertools settings (read by Powertools itself). */
  PowertoolsServiceName: "POWERTOOLS_SERVICE_NAME",
  PowertoolsMetricsNamespace: "POWERTOOLS_METRICS_NAMESPACE",
  PowertoolsLogLevel: "POWERTOOLS_LOG_LEVEL",
} as const;
export type EnvVar = (typeof EnvVar)[keyof typeof EnvVar];

/** Variables the Lambda runtime itself sets (never the stack); `npm start`'s containers set them too. */
export const LambdaRuntimeEnvVar = {
  /** The function's memory size, MB: the decoder's memory bound is a share of it. */
  FunctionMemorySize: "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
} as const;
