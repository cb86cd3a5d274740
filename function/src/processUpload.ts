/**
 * One upload, start to finish: skip it if an earlier delivery already reached a final verdict,
 * read exactly the uploaded object, make thumbnails with the pure core, write them, then write
 * the record. Permanent failures become FAILED records; anything else throws (transient) so
 * Lambda retries.
 *
 * A retry never downgrades an earlier attempt's work: when an attempt cannot read the source
 * (deleted, overwritten, archived since) it first looks for this upload's thumbnails, and if an
 * earlier attempt wrote all of them (their metadata holds the facts the record needs) it
 * records SUCCEEDED from them. This costs nothing on the happy path: one LIST, only when the
 * source cannot be read.
 */
import { randomUUID } from "crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Logger } from "@aws-lambda-powertools/logger";
import { attemptLimitsOf, decodeLimitsOf, renditionsOf, type FunctionConfig } from "./config";
import { FailureReason, isFinalReason } from "../../contract/failureReasons";
import { PermanentError, TransientError } from "./core/errors";
import { readHeader, type ImageHeader } from "./core/imageHeader";
import { swapsAxes } from "./core/orientation";
import type { ThumbnailResult } from "./core/thumbnailer";
import { placementOf, type CropWindow } from "./core/fit";
import type { Fit } from "../../contract/renditions";
import { imageIdFor } from "../../contract/imageId";
import type { PipelineMetrics } from "./observability";
import { fileNameOf, RecordStatus, type ImageRecord, type ThumbnailEntry } from "../../contract/record";
import { getRecordState, putRecord } from "./adapters/recordStore";
import type { Upload } from "./adapters/s3Event";
import { mayStillAppear, readSource, tooLarge, type SourceObject } from "./adapters/sourceObject";
import { thumbnailKey, thumbnailMetadata } from "../../contract/thumbnailKeys";
import { findThumbnails, putThumbnails, type StoredThumbnail } from "./adapters/thumbnailStore";
import { DeadlineReached, sharedThumbnailer } from "./worker/isolatedThumbnailer";
import { settleSucceeded } from "./lifecycle";
import { attemptSpecOf, renditionSpecOf } from "../../contract/renditionSpec";
import { supersededBeforehand, type Standing } from "./adapters/sourceKeyStateStore";

export interface Dependencies {
  config: FunctionConfig;
  s3: S3Client;
  dynamo: DynamoDBClient;
  logger: Logger;
  metrics: PipelineMetrics;
  /** Clock for ProcessedAt and the age of events; injectable for tests. */
  now?: () => Date;
  /**
   * Ends the process when a failure says it must not serve the retry (TransientError
   * recycleProcess), so Lambda retries in a fresh sandbox. Set only where the process is the
   * function's own (Lambda, npm start's containers); tests leave it out.
   */
  recycleProcess?: (why: string) => void;
}

export type Outcome =
  | { status: "SUCCEEDED"; imageId: string }
  | { status: "FAILED"; imageId: string; reason: FailureReason }
  /** An earlier delivery of the same event already produced a SUCCEEDED record or a final FAILED one. */
  | { status: "DUPLICATE"; imageId: string }
  /** Not an upload of an image at all (a folder marker); no record. */
  | { status: "IGNORED"; imageId: string; why: string }
  /**
   * A late event: a delete of the key, or a newer upload of it that succeeded, was handled
   * first. Not processed; recorded DELETED or REPLACED at once (docs/lifecycle.md).
   */
  | { status: "SUPERSEDED"; imageId: string; as: typeof RecordStatus.Deleted | typeof RecordStatus.Replaced };

/**
 * The invocation's time, as the handler hands it to one upload: the work of the image must stop
 * by `stopAt` (epoch ms: the deadline less the margin kept to write its record).
 */
export interface TimeGuard {
  stopAt: number;
  /**
   * Whether the image had the invocation's time to itself (no earlier upload of the event used
   * it). Only then is running out of time the image's own fault, recorded as a final
   * ProcessingTimeout; otherwise it is transient, and the retry (which skips the uploads
   * already recorded) gives it the time that others used.
   */
  hadTimeToItself: boolean;
}

export async function processUpload(upload: Upload, deps: Dependencies, time?: TimeGuard): Promise<Outcome> {
  const { config, logger } = deps;
  const imageId = imageIdFor(upload);
  const where = { imageId, bucket: upload.bucket, key: upload.key, sequencer: upload.sequencer };
  const attemptId = randomUUID();
  const now = () => deps.now?.() ?? new Date();

  if (upload.key.endsWith("/") && upload.size === 0) {
    logger.info("ignored a folder marker", where);
    return { status: "IGNORED", imageId, why: "folder marker" };
  }

  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let source: ReceivedSource | undefined;
  try {
    const existing = await getRecordState(deps.dynamo, config.metadataTable, imageId);
    if (existing?.Status === RecordStatus.Succeeded) {
      logger.info("duplicate delivery: this upload already has a SUCCEEDED record", where);
      // The earlier delivery may have stopped between its record and its key's state.
      await settleSucceeded(upload, imageId, deps);
      return { status: "DUPLICATE", imageId };
    }
    if (existing?.Status === RecordStatus.Deleted || existing?.Status === RecordStatus.Replaced) {
      logger.info(`duplicate delivery: this upload is already ${existing.Status}`, where);
      return { status: "DUPLICATE", imageId };
    }
    if (existing?.Status === RecordStatus.Failed && isFinalReason(existing.Reason as FailureReason)) {
      logger.info("duplicate delivery: this upload already has a final FAILED record", { ...where, reason: existing.Reason });
      return { status: "DUPLICATE", imageId };
    }

    if (upload.bucket !== config.sourceBucket) {
      throw new PermanentError(
        FailureReason.UnexpectedBucket,
        `the event is for bucket "${upload.bucket}", but this function serves "${config.sourceBucket}"`,
      );
    }
    if (upload.size > config.maxObjectBytes) throw tooLarge(upload.size, config.maxObjectBytes);
    const superseded = upload.sequencer ? await supersededBeforehand(deps.dynamo, config.metadataTable, upload, imageId) : undefined;
    if (superseded) return await recordSuperseded(imageId, upload, superseded, deps, attemptId, where);

    const read = await readSource(deps.s3, upload, config.maxObjectBytes);
    source = received(read);
    // In a worker thread under a time and memory bound: a runaway decoder ends as a FAILED record.
    // The bytes are handed over, not copied: what the records need of them is in `source` now.
    const result = await sharedThumbnailer(decodeLimitsOf(config))
      .make(
        read.bytes,
        {
          sizes: config.thumbnailSizes,
          renditions: renditionsOf(config),
          jpegQuality: config.jpegQuality,
          webpQuality: config.webpQuality,
          maxPixels: config.maxImagePixels,
        },
        { handOver: true, stopAt: time?.stopAt },
      )
      .catch((err: unknown) => {
        if (!(err instanceof DeadlineReached)) throw err;
        if (time?.hadTimeToItself) {
          throw new PermanentError(
            FailureReason.ProcessingTimeout,
            `the image could not be finished within the invocation's time (the function's timeout less the margin kept to write this record): ${err.message}`,
          );
        }
        throw new TransientError(
          `processing s3://${upload.bucket}/${upload.key}`,
          `earlier uploads of this event used the invocation's time, so this one is left for the retry: ${err.message}`,
          { cause: err },
        );
      });
    const entries: ThumbnailEntry[] = result.thumbnails.map((t) => ({
      Size: t.size,
      ...renditionFields(config, t.rendition, t.fit, t.crop),
      Key: thumbnailKey(imageId, t.rendition, t.format),
      Width: t.width,
      Height: t.height,
      Bytes: t.bytes.length,
      Format: t.format,
      ContentType: t.contentType,
    }));
    const facts = result.facts;
    const sourceBytes = source.size;
    await putThumbnails(
      deps.s3,
      config.thumbnailBucket,
      result.thumbnails.map((t, i) => ({
        key: entries[i].Key,
        bytes: t.bytes,
        contentType: t.contentType,
        metadata: thumbnailMetadata({
          imageId,
          ...upload,
          size: t.size,
          facts: {
            width: t.width,
            height: t.height,
            sourceFormat: facts.format,
            sourceWidth: facts.width,
            sourceHeight: facts.height,
            sourceOrientation: facts.orientation,
            sourceHasAlpha: facts.hasAlpha,
            sourceBytes,
          },
        }),
      })),
    );
    const record: ImageRecord = {
      ...baseRecord(imageId, upload, source, deps, attemptId),
      Status: RecordStatus.Succeeded,
      ...factsOf(result),
      Thumbnails: entries,
      RenditionSpec: renditionSpecOf(config),
      DurationMs: elapsed(),
    };
    return await recordSuccess(record, sourceBytes, upload, deps, where);
  } catch (err) {
    if (!(err instanceof PermanentError)) {
      throw err instanceof TransientError
        ? err
        : new TransientError(`processing s3://${upload.bucket}/${upload.key}`, `unexpected error: ${(err as Error)?.message ?? err}`, {
            cause: err,
          });
    }
    if (err.reason === FailureReason.RecordUnreadable) {
      // Not overwritten: a person changed it, and the function cannot tell what it said. The
      // invocation succeeds (a retry would read the same record); the metric and the error
      // log, naming the ImageID, attribute and type, bring it to the operator.
      deps.metrics.failed(err.reason, elapsed(), 0);
      logger.error("the upload's record cannot be read; left as it is and the upload not processed", {
        ...where,
        reason: err.reason,
        error: err.message,
      });
      return { status: "FAILED", imageId, reason: err.reason };
    }
    if (!isFinalReason(err.reason)) {
      const earlier = await findThumbnails(deps.s3, config.thumbnailBucket, imageId, renditionsOf(config));
      if (earlier) {
        logger.info("an earlier attempt wrote this upload's thumbnails; recording it from them", {
          ...where,
          unreadableBecause: err.reason,
        });
        return await recordSuccess(
          recordFromThumbnails(imageId, upload, earlier, deps, attemptId, elapsed()),
          earlier[0].facts.sourceBytes,
          upload,
          deps,
          where,
        );
      }
      if (err.reason === FailureReason.SourceMissing && mayStillAppear(upload, now())) {
        throw new TransientError(
          `s3:GetObject s3://${upload.bucket}/${upload.key}`,
          `the object is not found ${Math.round((now().getTime() - Date.parse(upload.eventTime)) / 1000)} s after its event; S3 may still be settling, so this is retried before it counts as SourceMissing`,
          { cause: err },
        );
      }
    }
    const record: ImageRecord = {
      ...baseRecord(imageId, upload, source, deps, attemptId),
      Status: RecordStatus.Failed,
      FailedStatus: RecordStatus.Failed,
      ...source?.headerFacts,
      Thumbnails: [],
      Reason: err.reason,
      AttemptSpec: attemptSpecOf({ ...config, ...attemptLimitsOf(config) }),
      // Decoder messages can be long; a record stays small (DynamoDB items are capped at 400 KB).
      ErrorMessage: err.message.length > 1000 ? `${err.message.slice(0, 997)}...` : err.message,
      DurationMs: elapsed(),
    };
    if (!(await putRecord(deps.dynamo, config.metadataTable, record))) {
      logger.info("duplicate delivery: the upload already has a record this failure does not replace", { ...where, reason: err.reason });
      return { status: "DUPLICATE", imageId };
    }
    deps.metrics.failed(err.reason, record.DurationMs, source?.size ?? 0);
    logger.warn("upload failed permanently; recorded as FAILED", { ...where, reason: err.reason, error: err.message });
    return { status: "FAILED", imageId, reason: err.reason };
  }
}

async function recordSuccess(
  record: ImageRecord,
  sourceBytes: number,
  upload: Upload,
  deps: Dependencies,
  where: Record<string, string>,
): Promise<Outcome> {
  if (!(await putRecord(deps.dynamo, deps.config.metadataTable, record))) {
    deps.logger.info("duplicate delivery: another delivery recorded this upload first", where);
    const state = await getRecordState(deps.dynamo, deps.config.metadataTable, record.ImageID);
    if (state?.Status === RecordStatus.Succeeded) await settleSucceeded(upload, record.ImageID, deps);
    return { status: "DUPLICATE", imageId: record.ImageID };
  }
  const thumbnailBytes = record.Thumbnails.reduce((sum, e) => sum + e.Bytes, 0);
  deps.metrics.succeeded(record.DurationMs, sourceBytes, thumbnailBytes);
  // Made current, or retired at once when a delete or a newer upload of the key won the race.
  await settleSucceeded(upload, record.ImageID, deps);
  deps.logger.info("thumbnails made", {
    ...where,
    durationMs: record.DurationMs,
    format: record.DetectedFormat,
    width: record.Width,
    height: record.Height,
    thumbnails: record.Thumbnails.map((e) => e.Key),
  });
  return { status: "SUCCEEDED", imageId: record.ImageID };
}

/** Records a late upload that a handled delete or a newer upload superseded, without processing it. */
async function recordSuperseded(
  imageId: string,
  upload: Upload,
  standing: Exclude<Standing, { kind: "current" }>,
  deps: Dependencies,
  attemptId: string,
  where: Record<string, string>,
): Promise<Outcome> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  const record: ImageRecord = {
    ...baseRecord(imageId, upload, undefined, deps, attemptId),
    ...(standing.kind === "deleted"
      ? { Status: RecordStatus.Deleted, DeletedAt: now, DeleteSequencer: standing.deleteSequencer }
      : { Status: RecordStatus.Replaced, ReplacedAt: now, ReplacedBy: standing.by }),
    Thumbnails: [],
    DurationMs: 0,
  };
  if (!(await putRecord(deps.dynamo, deps.config.metadataTable, record))) {
    deps.logger.info("duplicate delivery: another delivery recorded this upload first", where);
    return { status: "DUPLICATE", imageId };
  }
  deps.metrics.retired(record.Status as typeof RecordStatus.Deleted | typeof RecordStatus.Replaced);
  deps.logger.info(`late upload event: the key was ${standing.kind} by a later event first; recorded without processing`, {
    ...where,
    status: record.Status,
  });
  return { status: "SUPERSEDED", imageId, as: record.Status as typeof RecordStatus.Deleted | typeof RecordStatus.Replaced };
}

/** The SUCCEEDED record of an upload whose thumbnails an earlier attempt wrote (facts from their metadata). */
function recordFromThumbnails(
  imageId: string,
  upload: Upload,
  thumbnails: StoredThumbnail[],
  deps: Dependencies,
  attemptId: string,
  durationMs: number,
): ImageRecord {
  const facts = thumbnails[0].facts;
  return {
    ...baseRecord(imageId, upload, undefined, deps, attemptId),
    SizeBytes: facts.sourceBytes,
    Status: RecordStatus.Succeeded,
    DetectedFormat: facts.sourceFormat,
    Width: facts.sourceWidth,
    Height: facts.sourceHeight,
    Orientation: facts.sourceOrientation,
    HasAlpha: facts.sourceHasAlpha,
    Thumbnails: thumbnails.map((t) => {
      // The crop window follows from the source's upright size alone, as when it was made.
      const { crop } = placementOf(t.rendition, facts.sourceWidth, facts.sourceHeight);
      return {
        Size: t.size,
        ...renditionFields(deps.config, t.rendition.name, t.rendition.fit, crop),
        Key: t.key,
        Width: t.facts.width,
        Height: t.facts.height,
        Bytes: t.bytes,
        Format: t.format,
        ContentType: t.contentType,
      };
    }),
    DurationMs: durationMs,
  };
}

/**
 * What an entry says of its rendition. A thumbnailSizes config writes its entries exactly as
 * before renditions existed (its renditions are the sizes, fit inside), so its records do not change.
 */
function renditionFields(config: FunctionConfig, rendition: string, fit: Fit, crop: CropWindow | undefined): Partial<ThumbnailEntry> {
  if (!config.renditions) return {};
  return {
    Rendition: rendition,
    Fit: fit,
    ...(crop ? { Crop: { X: crop.x, Y: crop.y, Width: crop.width, Height: crop.height } } : {}),
  };
}

/** What the records need of an upload's bytes, taken before the bytes go to the decoder thread. */
interface ReceivedSource {
  size: number;
  contentType?: string;
  /** What a FAILED record tells of the image, read from its header. */
  headerFacts: Partial<ImageRecord>;
}

function received(source: SourceObject): ReceivedSource {
  return { size: source.bytes.length, contentType: source.contentType, headerFacts: headerFactsOf(source.bytes) };
}

function baseRecord(imageId: string, upload: Upload, source: ReceivedSource | undefined, deps: Dependencies, attemptId: string) {
  return {
    ImageID: imageId,
    SourceBucket: upload.bucket,
    SourceKey: upload.key,
    FileName: fileNameOf(upload.key),
    SizeBytes: source ? source.size : upload.size,
    ...(source?.contentType ? { ContentType: source.contentType } : {}),
    UploadTime: upload.eventTime,
    ProcessedAt: (deps.now?.() ?? new Date()).toISOString(),
    ThumbnailBucket: deps.config.thumbnailBucket,
    ETag: upload.eTag,
    ...(upload.versionId ? { VersionId: upload.versionId } : {}),
    Sequencer: upload.sequencer,
    EventName: upload.eventName,
    AttemptId: attemptId,
  };
}

function factsOf(result: ThumbnailResult): Partial<ImageRecord> {
  const f = result.facts;
  return { DetectedFormat: f.format, Width: f.width, Height: f.height, Orientation: f.orientation, HasAlpha: f.hasAlpha };
}

/** What a failed upload's header still tells (e.g. the size of a refused bomb), if it can be read. */
function headerFactsOf(bytes: Uint8Array): Partial<ImageRecord> {
  if (bytes.length === 0) return {};
  let header: ImageHeader;
  try {
    header = readHeader(bytes);
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
