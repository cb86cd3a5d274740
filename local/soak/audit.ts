/**
 * The soak audit: the end state read back from the servers themselves (the table, the thumbnail
 * and source buckets, not through the fault proxies) and from the dead-letter queue, checked
 * against what was uploaded. Every rule that fails is a problem naming the upload, what was found
 * and the rule; the run is clean when there are none.
 */
import { GetObjectCommand, ListObjectsCommand } from "@aws-sdk/client-s3";
import { ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import sharp from "sharp";
import { isFinalReason, FailureReason } from "../../contract/failureReasons";
import { imageIdFor } from "../../contract/imageId";
import { MetricName, Dimension } from "../../contract/metrics";
import { fromItem, RecordStatus, type ImageRecord } from "../../contract/record";
import { thumbnailKey } from "../../contract/thumbnailKeys";
import { currentImageIdOf, isSourceKeyState } from "../../contract/sourceKeyState";
import { compareSequencers } from "../../contract/sequencer";
import { readConfig } from "../../function/src/config";
import { parseEmf } from "../emf";
import { CRASH_MESSAGE } from "../runtime/lambdaService";
import type { SoakState, UploadTrace } from "./soakRun";

/** What became of one upload. */
export type Verdict = "SUCCEEDED" | "FAILED" | "REPLACED" | "DEAD_LETTERED" | "LOST";

export interface AuditFigures {
  uploads: number;
  keys: number;
  keysUploadedSeveralTimes: number;
  succeeded: number;
  failed: number;
  /** Older uploads of a key whose newer upload SUCCEEDED (docs/lifecycle.md): thumbnails deleted. */
  replaced: number;
  failedByReason: Record<string, number>;
  deadLettered: number;
  /** Uploads with neither a record nor a dead-letter message: the promise broken. Must be 0. */
  lost: number;
  /** Thumbnail objects no SUCCEEDED record lists. Must be 0. */
  orphanedThumbnails: number;
  /** Thumbnails of dead-lettered uploads without a record: the redrive records them. */
  thumbnailsAwaitingRedrive: number;
  /** Dead-letter messages of uploads that another delivery recorded anyway. */
  deadLettersOfRecordedUploads: number;
  deliveries: number;
  duplicatesDelivered: number;
  invocations: number;
  retries: number;
  crashedInvocations: number;
  /** Invocations that found their upload already recorded and did nothing (duplicates and retries absorbed). */
  duplicatesAbsorbed: number;
  metrics: {
    imagesProcessed: number;
    imagesFailed: number;
    /** Verdicts whose metric was never counted because the attempt that recorded them died before reporting (at most once, as in Lambda). */
    lostWithFailedAttempts: number;
  };
}

export interface AuditResult {
  clean: boolean;
  problems: string[];
  figures: AuditFigures;
  verdicts: Map<UploadTrace, Verdict>;
  /** Each upload's record as read from the table, when it has one. */
  records: Map<UploadTrace, ImageRecord>;
}

/** The table's upload records, and each key's current upload from its state item. */
async function scanRecords(state: SoakState): Promise<{ records: ImageRecord[]; currentOfKey: Map<string, string | undefined> }> {
  const records: ImageRecord[] = [];
  const currentOfKey = new Map<string, string | undefined>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await state.emulators.dynamo.send(new ScanCommand({ TableName: state.stack.tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      if (isSourceKeyState(item)) {
        currentOfKey.set(
          item.ObjectKey?.S ?? "",
          currentImageIdOf({
            CurrentImageID: item.CurrentImageID?.S,
            CurrentOrder: item.CurrentOrder?.S,
            DeletedOrder: item.DeletedOrder?.S,
          }),
        );
      } else records.push(fromItem(item));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return { records, currentOfKey };
}

/**
 * Listed with ListObjects (v1) and markers: s3rver makes ListObjectsV2's continuation tokens
 * with DES, which OpenSSL 3 (Node 17+) no longer offers, so any truncated V2 listing is answered
 * 500 InternalError. (The function lists only one upload's prefix, never a truncated page.)
 */
async function listObjects(state: SoakState, bucket: string): Promise<Map<string, { eTag: string; size: number }>> {
  const objects = new Map<string, { eTag: string; size: number }>();
  let marker: string | undefined;
  for (;;) {
    const page = await state.emulators.s3.send(new ListObjectsCommand({ Bucket: bucket, Marker: marker }));
    for (const o of page.Contents ?? []) objects.set(o.Key!, { eTag: (o.ETag ?? "").replace(/"/g, ""), size: o.Size ?? 0 });
    if (!page.IsTruncated || !page.Contents?.length) break;
    marker = page.Contents[page.Contents.length - 1].Key;
  }
  return objects;
}

/** What a thumbnail object turned out to be when read and decoded. */
interface ReadThumbnail {
  bytes: number;
  contentType?: string;
  width?: number;
  height?: number;
  unreadable?: string;
}

async function readThumbnail(state: SoakState, key: string): Promise<ReadThumbnail> {
  let response;
  let bytes: Buffer;
  try {
    response = await state.emulators.s3.send(new GetObjectCommand({ Bucket: state.stack.thumbnailBucketName, Key: key }));
    bytes = Buffer.from(await response.Body!.transformToByteArray());
  } catch (err) {
    return { bytes: -1, unreadable: `GetObject failed: ${(err as Error).name}: ${(err as Error).message}` };
  }
  try {
    // Decoded in full, not just its header: a truncated object fails here.
    const { info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    return { bytes: bytes.length, contentType: response.ContentType, width: info.width, height: info.height };
  } catch (err) {
    return { bytes: bytes.length, contentType: response.ContentType, unreadable: (err as Error).message };
  }
}

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]);
    }),
  );
  return results;
}

/** The metric datapoints one upload's invocations emitted, on the standard dimensions (and per reason). */
function metricsOf(trace: UploadTrace): { processed: number; failed: number; failedReasons: string[] } {
  let processed = 0;
  let failed = 0;
  const failedReasons: string[] = [];
  for (const delivery of trace.deliveries) {
    for (const attempt of delivery.attempts) {
      for (const point of parseEmf(attempt.output)) {
        const sum = point.values.reduce((a, b) => a + b, 0);
        const reason = point.dimensions[Dimension.Reason];
        if (point.name === MetricName.ImagesProcessed) processed += sum;
        if (point.name === MetricName.ImagesFailed && reason === undefined) failed += sum;
        if (point.name === MetricName.ImagesFailed && reason !== undefined) for (let i = 0; i < sum; i++) failedReasons.push(reason);
      }
    }
  }
  return { processed, failed, failedReasons };
}

export async function audit(state: SoakState): Promise<AuditResult> {
  const problems: string[] = [];
  const config = readConfig(state.stack.functionEnvironment);
  const sizes = [...config.thumbnailSizes].sort((a, b) => b - a);
  const reading = <T>(what: string, promise: Promise<T>) =>
    promise.catch((err: Error) => {
      throw new Error(`audit: reading ${what} failed: ${err.name}: ${err.message}`);
    });
  const [{ records, currentOfKey }, thumbnailObjects, sourceObjects] = await Promise.all([
    reading("the table", scanRecords(state)),
    reading("the thumbnail bucket's listing", listObjects(state, state.stack.thumbnailBucketName)),
    reading("the source bucket's listing", listObjects(state, state.stack.sourceBucketName)),
  ]);
  const recordById = new Map(records.map((r) => [r.ImageID, r]));
  const read = new Map<string, ReadThumbnail>();
  const keys = [...thumbnailObjects.keys()];
  (await inBatches(keys, 8, (key) => readThumbnail(state, key))).forEach((t, i) => read.set(keys[i], t));

  const newestOfKey = new Map<string, UploadTrace>();
  for (const trace of state.traces) {
    const newest = newestOfKey.get(trace.plan.key);
    if (!newest || trace.plan.nth > newest.plan.nth) newestOfKey.set(trace.plan.key, trace);
  }
  const imageIdOf = new Map<UploadTrace, string>();
  const traceById = new Map<string, UploadTrace>();
  for (const trace of state.traces) {
    const object = trace.event?.Records[0].s3.object;
    if (!object) continue;
    const id = imageIdFor({ bucket: state.stack.sourceBucketName, key: trace.plan.key, sequencer: object.sequencer, eTag: object.eTag });
    imageIdOf.set(trace, id);
    traceById.set(id, trace);
  }
  const deadLettered = new Set<UploadTrace>();
  for (const message of state.deadLetters.messages) {
    const trace = [...traceById.values()].find((t) => JSON.stringify(t.event) === JSON.stringify(message.requestPayload));
    if (trace) deadLettered.add(trace);
    else
      problems.push(
        `dead-letter message ${message.requestContext.requestId}: its requestPayload is no event of this run's uploads; a dead letter must hold its original event`,
      );
  }

  const verdicts = new Map<UploadTrace, Verdict>();
  const recordOf = new Map<UploadTrace, ImageRecord>();
  const figures: AuditFigures = {
    uploads: state.traces.length,
    keys: newestOfKey.size,
    keysUploadedSeveralTimes: [...newestOfKey.values()].filter((t) => t.plan.ofKey > 1).length,
    succeeded: 0,
    replaced: 0,
    failed: 0,
    failedByReason: {},
    deadLettered: 0,
    lost: 0,
    orphanedThumbnails: 0,
    thumbnailsAwaitingRedrive: 0,
    deadLettersOfRecordedUploads: 0,
    deliveries: 0,
    duplicatesDelivered: 0,
    invocations: 0,
    retries: 0,
    crashedInvocations: 0,
    duplicatesAbsorbed: 0,
    metrics: { imagesProcessed: 0, imagesFailed: 0, lostWithFailedAttempts: 0 },
  };

  for (const trace of state.traces) {
    const { plan } = trace;
    const id = imageIdOf.get(trace);
    const name = `${JSON.stringify(plan.key)} (upload ${plan.nth + 1} of ${plan.ofKey}, ${plan.image.name}${id ? `, ImageID ${id}` : ""})`;
    const problem = (what: string) => problems.push(`${name}: ${what}`);
    const isNewest = newestOfKey.get(plan.key) === trace;
    for (const delivery of trace.deliveries) {
      figures.deliveries++;
      if (delivery.duplicate) figures.duplicatesDelivered++;
      figures.invocations += delivery.attempts.length;
      figures.retries += Math.max(0, delivery.attempts.length - 1);
      for (const attempt of delivery.attempts) {
        if (attempt.error === CRASH_MESSAGE) figures.crashedInvocations++;
        if (!attempt.error && attempt.output.includes("duplicate delivery:")) figures.duplicatesAbsorbed++;
      }
    }
    const failedAttempt = trace.deliveries.some((d) => d.attempts.some((a) => a.error));

    if (!id) {
      verdicts.set(trace, "LOST");
      figures.lost++;
      problem("S3 sent no event for it, so it was never delivered; every upload must reach the function");
      continue;
    }
    const undelivered = trace.deliveries.length === 0 || trace.deliveries.some((d) => d.attempts.length === 0);
    if (undelivered) problem("a delivery of its event never ran; every delivery must run to an end (success or dead letter)");

    // HOOK(#17, deletes): a deleted upload's rules go here once the function handles ObjectRemoved events.
    if (plan.deleted) problem("deleted uploads are not audited yet (#17)");

    const record = recordById.get(id);
    const metrics = metricsOf(trace);
    figures.metrics.imagesProcessed += metrics.processed;
    figures.metrics.imagesFailed += metrics.failed;
    if (!record) {
      if (deadLettered.has(trace)) {
        verdicts.set(trace, "DEAD_LETTERED");
        figures.deadLettered++;
        if (isNewest && plan.ofKey > 1)
          problem("the newest upload of its key is only dead-lettered; the key's newest upload must have a record");
      } else {
        verdicts.set(trace, "LOST");
        figures.lost++;
        problem("no record and no dead-letter message: lost; every upload must end as a record or a dead letter");
      }
      if (metrics.processed || metrics.failed)
        problem(`metrics counted it (${metrics.processed} processed, ${metrics.failed} failed) but it has no record`);
      continue;
    }
    recordOf.set(trace, record);
    if (deadLettered.has(trace)) figures.deadLettersOfRecordedUploads++;
    const object = trace.event!.Records[0].s3.object;
    if (record.SourceKey !== plan.key || record.ETag !== object.eTag || record.Sequencer !== object.sequencer) {
      problem(
        `its record names ${JSON.stringify(record.SourceKey)} ETag ${record.ETag} sequencer ${record.Sequencer}; a record must describe its own upload`,
      );
    }
    const expect = plan.image.expect;
    if (record.Status === RecordStatus.Replaced) {
      // An older upload of a key whose newer upload SUCCEEDED: retired (docs/lifecycle.md),
      // before or after it was processed. Its thumbnails are gone (the orphan check below).
      verdicts.set(trace, "REPLACED");
      figures.replaced++;
      if (isNewest) problem("the newest upload of its key is REPLACED; only an older upload is replaced");
      const by = record.ReplacedBy ? recordById.get(record.ReplacedBy) : undefined;
      if (!by || by.SourceKey !== record.SourceKey || by.Status !== RecordStatus.Succeeded) {
        problem(`REPLACED by ${record.ReplacedBy}, which is not a SUCCEEDED upload of the same key`);
      } else if (compareSequencers(by.Sequencer, record.Sequencer) <= 0) {
        problem(`REPLACED by ${record.ReplacedBy}, an upload no later than itself; only a newer upload replaces`);
      }
      if (record.Thumbnails.length > 0 && !record.ThumbnailsRemovedAt)
        problem("REPLACED with its thumbnails kept, though the stack does not keep replaced thumbnails");
      if (metrics.processed > 1) problem(`ImagesProcessed counted it ${metrics.processed} times; an upload is counted once`);
      if (metrics.processed === 1 && expect.status !== "SUCCEEDED")
        problem(`ImagesProcessed counted it before it was replaced, but it is a ${plan.image.name} (expected FAILED ${expect.reason})`);
    } else if (record.Status === RecordStatus.Succeeded) {
      verdicts.set(trace, "SUCCEEDED");
      figures.succeeded++;
      if (expect.status !== "SUCCEEDED") problem(`SUCCEEDED, but it is a ${plan.image.name} (expected FAILED ${expect.reason})`);
      const listed = record.Thumbnails ?? [];
      if (listed.map((t) => t.Size).join(",") !== sizes.join(",")) {
        problem(
          `its record lists thumbnails of sizes [${listed.map((t) => t.Size)}]; a SUCCEEDED record lists one per configured size [${sizes}]`,
        );
      }
      for (const entry of listed) {
        const where = `thumbnail ${entry.Key}`;
        if (entry.Key !== thumbnailKey(id, entry.Rendition ?? entry.Size, entry.Format))
          problem(`${where} is not at its upload's key ${thumbnailKey(id, entry.Rendition ?? entry.Size, entry.Format)}`);
        const found = read.get(entry.Key);
        if (!found) {
          problem(`${where}, listed in its SUCCEEDED record, is not in the thumbnail bucket`);
          continue;
        }
        if (found.unreadable) problem(`${where} cannot be decoded (${found.unreadable}); every thumbnail must be readable`);
        else if (found.width !== entry.Width || found.height !== entry.Height) {
          problem(`${where} is ${found.width}×${found.height}; its record says ${entry.Width}×${entry.Height}`);
        }
        if (found.bytes !== entry.Bytes) problem(`${where} holds ${found.bytes} bytes; its record says ${entry.Bytes}`);
        if (found.contentType !== entry.ContentType)
          problem(`${where} has Content-Type ${found.contentType}; its record says ${entry.ContentType}`);
      }
      if (metrics.processed > 1) problem(`ImagesProcessed counted it ${metrics.processed} times; an upload is counted once`);
      if (metrics.processed === 0) {
        if (failedAttempt) figures.metrics.lostWithFailedAttempts++;
        else problem("ImagesProcessed never counted it, though no attempt of it failed");
      }
      const finalFailures = metrics.failedReasons.filter((r) => isFinalReason(r as FailureReason));
      if (finalFailures.length) problem(`ImagesFailed counted it with final reason ${finalFailures.join(", ")}, yet it SUCCEEDED`);
    } else {
      verdicts.set(trace, "FAILED");
      figures.failed++;
      const reason = record.Reason ?? "(none)";
      figures.failedByReason[reason] = (figures.failedByReason[reason] ?? 0) + 1;
      if (!(reason in FailureReason)) problem(`FAILED with reason ${reason}, which is not one of contract/failureReasons.ts`);
      else if (isFinalReason(reason as FailureReason)) {
        if (expect.status === "SUCCEEDED") problem(`FAILED ${reason} (${record.ErrorMessage}), but it is a valid ${plan.image.name}`);
        else if (expect.reason !== reason) problem(`FAILED ${reason}; a ${plan.image.name} fails as ${expect.reason}`);
      } else if (reason === FailureReason.Superseded) {
        if (isNewest) problem("the newest upload of its key is FAILED Superseded; only an overwritten upload is superseded");
      } else {
        problem(`FAILED ${reason}, a moment reason nothing in this run explains (no deletes, no archive)`);
      }
      if (record.Thumbnails?.length) problem("its FAILED record lists thumbnails");
      if (metrics.processed) problem(`ImagesProcessed counted it, yet its record is FAILED`);
      if (metrics.failed > 1) problem(`ImagesFailed counted it ${metrics.failed} times; an upload is counted once`);
      if (metrics.failed === 0) {
        if (failedAttempt) figures.metrics.lostWithFailedAttempts++;
        else problem("ImagesFailed never counted it, though no attempt of it failed");
      }
    }
    if (isNewest && record.Status === RecordStatus.Succeeded && currentOfKey.get(plan.key) !== id) {
      problem(`the newest upload of its key SUCCEEDED, but the key's state names ${currentOfKey.get(plan.key)} as current`);
    }
    if (isNewest && sourceObjects.get(plan.key)?.eTag !== record.ETag) {
      problem(
        `the source object's ETag is ${sourceObjects.get(plan.key)?.eTag}; the newest upload's record must describe the current object (${record.ETag})`,
      );
    }
  }

  // Every record belongs to an upload of this run, and every thumbnail object to a record that owns it (SUCCEEDED, or REPLACED with its thumbnails kept).
  for (const record of records) {
    if (!traceById.has(record.ImageID)) problems.push(`record ${record.ImageID} (${record.SourceKey}) belongs to no upload of this run`);
  }
  for (const key of thumbnailObjects.keys()) {
    const id = key.split("/")[0];
    const record = recordById.get(id);
    const owns =
      record?.Status === RecordStatus.Succeeded || (record?.Status === RecordStatus.Replaced && record.ThumbnailsRemovedAt === undefined);
    if (owns && record.Thumbnails.some((t) => t.Key === key)) continue;
    const trace = traceById.get(id);
    if (!record && trace && deadLettered.has(trace)) {
      figures.thumbnailsAwaitingRedrive++;
      continue;
    }
    figures.orphanedThumbnails++;
    problems.push(
      `thumbnail object ${key}: ${record ? `its record ${id} is ${record.Status}${record.Reason ? ` ${record.Reason}` : ""} and does not list it` : `no record ${id}`}; no thumbnail object without a record`,
    );
  }
  return { clean: problems.length === 0, problems, figures, verdicts, records: recordOf };
}
