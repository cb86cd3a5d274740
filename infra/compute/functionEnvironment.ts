/**
 * The environment variables the stack sets on the function, from the stack's settings. One
 * definition, used by the function component (deployed) and by `npm start` (local), so the two
 * cannot drift. Generic in the value type: Pulumi Inputs in the stack, plain strings locally.
 */
import { EnvVar } from "../../contract/environment";
import { METRICS_NAMESPACE, SERVICE_NAME } from "../../contract/metrics";
import { decodeTimeoutMs } from "../../contract/decodeLimits";
import type { Rendition } from "../../contract/renditions";

export interface FunctionSettings<T> {
  environment: string;
  sourceBucketName: T;
  thumbnailBucketName: T;
  tableName: T;
  thumbnailSizes: number[];
  /** When set, RENDITIONS carries them and THUMBNAIL_SIZES is left out (the function refuses both). */
  renditions?: Rendition[];
  jpegQuality: number;
  webpQuality: number;
  keepReplacedThumbnails: boolean;
  maxObjectBytes: number;
  maxImagePixels: number;
  functionTimeoutSeconds: number;
  logLevel: string;
}

export function functionEnvironment<T>(s: FunctionSettings<T>): Record<string, T | string> {
  return {
    [EnvVar.Environment]: s.environment,
    [EnvVar.SourceBucket]: s.sourceBucketName,
    [EnvVar.ThumbnailBucket]: s.thumbnailBucketName,
    [EnvVar.MetadataTable]: s.tableName,
    // A thumbnailSizes stack keeps exactly the variables it had (no change to the function).
    ...(s.renditions
      ? { [EnvVar.Renditions]: JSON.stringify(s.renditions), [EnvVar.WebpQuality]: String(s.webpQuality) }
      : { [EnvVar.ThumbnailSizes]: s.thumbnailSizes.join(",") }),
    [EnvVar.JpegQuality]: String(s.jpegQuality),
    [EnvVar.KeepReplacedThumbnails]: String(s.keepReplacedThumbnails),
    [EnvVar.MaxObjectBytes]: String(s.maxObjectBytes),
    [EnvVar.MaxImagePixels]: String(s.maxImagePixels),
    [EnvVar.DecodeTimeoutMs]: String(decodeTimeoutMs(s.functionTimeoutSeconds)),
    [EnvVar.PowertoolsServiceName]: SERVICE_NAME,
    [EnvVar.PowertoolsMetricsNamespace]: METRICS_NAMESPACE,
    [EnvVar.PowertoolsLogLevel]: s.logLevel,
  };
}
