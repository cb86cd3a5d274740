/**
 * A short fingerprint of what the function makes of an image (sizes, quality, output formats
 * and encoder settings). Every SUCCEEDED record carries the fingerprint it was made with, so
 * `npm run backfill` can tell the thumbnails made under an older configuration from current
 * ones, and reprocess exactly those.
 */
import { createHash } from "crypto";
import { canonicalRenditions, type Rendition } from "./renditions";

export interface RenditionSettings {
  thumbnailSizes: readonly number[];
  /** Set when the renditions config is used instead of thumbnailSizes. */
  renditions?: readonly Rendition[];
  jpegQuality: number;
  webpQuality?: number;
}

/**
 * Bumped when the function's output changes for the same settings (a new resize filter, an
 * encoder change), so that a backfill can regenerate thumbnails after an upgrade.
 */
export const RENDITION_ENGINE_VERSION = 1;

/** 12 hex digits: collisions between the handful of configurations a stack ever has are out of the question. */
export function renditionSpecOf(settings: RenditionSettings): string {
  // A thumbnailSizes config keeps the fingerprint it always had, so its records are not
  // reprocessed by a backfill merely because renditions exist now.
  const canonical = JSON.stringify({
    engine: RENDITION_ENGINE_VERSION,
    ...(settings.renditions
      ? { renditions: canonicalRenditions(settings.renditions) }
      : { sizes: [...new Set(settings.thumbnailSizes)].sort((a, b) => a - b) }),
    jpegQuality: settings.jpegQuality,
    // Only where it changes a thumbnail: renditions without WebP keep their fingerprint.
    ...(settings.renditions?.some((r) => r.formats.includes("webp")) ? { webpQuality: settings.webpQuality ?? 80 } : {}),
  });
  return createHash("sha256").update(canonical, "utf8").digest("hex").slice(0, 12);
}

/**
 * Bumped when the function can decode more than before (a new format, a decoder fix), so that
 * `npm run backfill -- --retry-failed` tries again the uploads that failed for such a reason.
 */
export const DECODER_CAPABILITY_VERSION = 3; // 2: WebP and AVIF decoded; 3: HEIC

export interface AttemptSettings extends RenditionSettings {
  maxObjectBytes: number;
  maxImagePixels: number;
  decodeTimeoutMs: number;
  processMemoryLimitBytes: number;
}

/**
 * A fingerprint of everything that decides whether an upload can succeed: the rendition
 * settings, the limits, the memory and the decoders. A FAILED record carries the one it failed
 * under; `--retry-failed` retries it only under a different one, so a second run does not
 * repeat a failure nothing has changed for.
 */
export function attemptSpecOf(settings: AttemptSettings): string {
  const canonical = JSON.stringify({
    rendition: renditionSpecOf(settings),
    decoders: DECODER_CAPABILITY_VERSION,
    maxObjectBytes: settings.maxObjectBytes,
    maxImagePixels: settings.maxImagePixels,
    decodeTimeoutMs: settings.decodeTimeoutMs,
    processMemoryLimitBytes: settings.processMemoryLimitBytes,
  });
  return createHash("sha256").update(canonical, "utf8").digest("hex").slice(0, 12);
}
