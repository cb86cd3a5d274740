/**
 * One upload, start to finish: skip it if an earlier delivery already succeeded, read exactly
 * the uploaded object, make thumbnails with the pure core, write them, then write the record.
 * Permanent failures become FAILED records; anything else throws (transient) so Lambda retries.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Logger } from "@aws-lambda-powertools/logger";
import { decodeLimitsOf, type FunctionConfig } from "./config";
import { FailureReason, PermanentError, TransientError } from "./core/errors";
import { readHeader, type ImageHeader } from "./core/imageHeader";
import { swapsAxes } from "./core/orientation";
import type { ThumbnailResult } from "./core/thumbnailer";
import { imageIdFor } from "./imageId";
import type { PipelineMetrics } from "./observability";
import { fileNameOf, RecordStatus, type ImageRecord } from "./record";
import { getRecord, putRecord } from "./recordStore";
import type { Upload } from "./s3Event";
import { readSource, tooLarge, type SourceObject } from "./sourceObject";
import { thumbnailKey, thumbnailMetadata } from "./thumbnailKeys";
import { sharedThumbnailer } from "./worker/isolatedThumbnailer";
import { putThumbnails } from "./thumbnailStore";

export interface Dependencies {
  config: FunctionConfig;
  s3: S3Client;
  dynamo: DynamoDBClient;
  logger: Logger;
  metrics: PipelineMetrics;
  /** Clock for ProcessedAt; injectable for tests. */
  now?: () => Date;
}

export type Outcome =
  | { status: "SUCCEEDED"; imageId: string }
  | { status: "FAILED"; imageId: string; reason: FailureReason }
  /** An earlier delivery of the same event already produced a SUCCEEDED record. */
  | { status: "DUPLICATE"; imageId: string }
  /** Not an upload of an image at all (a folder marker); no record. */
  | { status: "IGNORED"; imageId: string; why: string };

export async function processUpload(upload: Upload, deps: Dependencies): Promise<Outcome> {
  const { config, logger } = deps;
  const imageId = imageIdFor(upload);
  const where = { imageId, bucket: upload.bucket, key: upload.key, sequencer: upload.sequencer };

  if (upload.key.endsWith("/") && upload.size === 0) {
    logger.info("ignored a folder marker", where);
    return { status: "IGNORED", imageId, why: "folder marker" };
  }

  const existing = await getRecord(deps.dynamo, config.metadataTable, imageId);
  if (existing?.Status === RecordStatus.Succeeded) {
    logger.info("duplicate delivery: this upload already has a SUCCEEDED record", where);
    return { status: "DUPLICATE", imageId };
  }

  const started = performance.now();
  let source: SourceObject | undefined;
  try {
    if (upload.bucket !== config.sourceBucket) {
      throw new PermanentError(FailureReason.UnexpectedBucket, `the event is for bucket "${upload.bucket}", but this function serves "${config.sourceBucket}"`);
    }
    if (upload.size > config.maxObjectBytes) throw tooLarge(upload.size, config.maxObjectBytes);

    source = await readSource(deps.s3, upload, config.maxObjectBytes);
    // In a worker thread under a time and memory bound: a runaway decoder ends as a FAILED record.
    const result = await sharedThumbnailer(decodeLimitsOf(config)).make(source.bytes, {
      sizes: config.thumbnailSizes,
      jpegQuality: config.jpegQuality,
      maxPixels: config.maxImagePixels,
    });
    const entries = result.thumbnails.map((t) => ({
      Size: t.size,
      Key: thumbnailKey(imageId, t.size, t.format),
      Width: t.width,
      Height: t.height,
      Bytes: t.bytes.length,
      Format: t.format,
      ContentType: t.contentType,
    }));
    await putThumbnails(
      deps.s3,
      config.thumbnailBucket,
      result.thumbnails.map((t, i) => ({
        key: entries[i].Key,
        bytes: t.bytes,
        contentType: t.contentType,
        metadata: thumbnailMetadata({ imageId, ...upload, size: t.size }),
      })),
    );
    const durationMs = Math.round(performance.now() - started);
    const record: ImageRecord = {
      ...baseRecord(imageId, upload, source, deps),
      Status: RecordStatus.Succeeded,
      ...factsOf(result),
      Thumbnails: entries,
      DurationMs: durationMs,
    };
    if (!(await putRecord(deps.dynamo, config.metadataTable, record))) {
      logger.info("duplicate delivery: another delivery recorded this upload first", where);
      return { status: "DUPLICATE", imageId };
    }
    const thumbnailBytes = entries.reduce((sum, e) => sum + e.Bytes, 0);
    deps.metrics.succeeded(durationMs, source.bytes.length, thumbnailBytes);
    logger.info("thumbnails made", { ...where, durationMs, format: result.facts.format, width: result.facts.width, height: result.facts.height, thumbnails: entries.map((e) => e.Key) });
    return { status: "SUCCEEDED", imageId };
  } catch (err) {
    if (!(err instanceof PermanentError)) {
      throw err instanceof TransientError ? err : new TransientError(`processing s3://${upload.bucket}/${upload.key}`, `unexpected error: ${(err as Error)?.message ?? err}`, { cause: err });
    }
    const durationMs = Math.round(performance.now() - started);
    const record: ImageRecord = {
      ...baseRecord(imageId, upload, source, deps),
      Status: RecordStatus.Failed,
      FailedStatus: RecordStatus.Failed,
      ...headerFactsOf(source),
      Thumbnails: [],
      Reason: err.reason,
      // Decoder messages can be long; a record stays small (DynamoDB items are capped at 400 KB).
      ErrorMessage: err.message.length > 1000 ? `${err.message.slice(0, 997)}...` : err.message,
      DurationMs: durationMs,
    };
    if (!(await putRecord(deps.dynamo, config.metadataTable, record))) {
      logger.info("duplicate delivery: a SUCCEEDED record exists; this failure is not recorded", { ...where, reason: err.reason });
      return { status: "DUPLICATE", imageId };
    }
    deps.metrics.failed(err.reason, durationMs, source?.bytes.length ?? 0);
    logger.warn("upload failed permanently; recorded as FAILED", { ...where, reason: err.reason, error: err.message });
    return { status: "FAILED", imageId, reason: err.reason };
  }
}

function baseRecord(imageId: string, upload: Upload, source: SourceObject | undefined, deps: Dependencies) {
  return {
    ImageID: imageId,
    SourceBucket: upload.bucket,
    SourceKey: upload.key,
    FileName: fileNameOf(upload.key),
    SizeBytes: source ? source.bytes.length : upload.size,
    ...(source?.contentType ? { ContentType: source.contentType } : {}),
    UploadTime: upload.eventTime,
    ProcessedAt: (deps.now?.() ?? new Date()).toISOString(),
    ThumbnailBucket: deps.config.thumbnailBucket,
    ETag: upload.eTag,
    ...(upload.versionId ? { VersionId: upload.versionId } : {}),
    Sequencer: upload.sequencer,
    EventName: upload.eventName,
  };
}

function factsOf(result: ThumbnailResult): Partial<ImageRecord> {
  const f = result.facts;
  return { DetectedFormat: f.format, Width: f.width, Height: f.height, Orientation: f.orientation, HasAlpha: f.hasAlpha };
}

/** What a failed upload's header still tells (e.g. the size of a refused bomb), if it can be read. */
function headerFactsOf(source: SourceObject | undefined): Partial<ImageRecord> {
  if (!source || source.bytes.length === 0) return {};
  let header: ImageHeader;
  try {
    header = readHeader(source.bytes);
  } catch {
    return {};
  }
  const swap = swapsAxes(header.orientation);
  return {
    DetectedFormat: header.format,
    Width: swap ? header.height : header.width,
    Height: swap ? header.width : header.height,
    Orientation: header.orientation,
  };
}
