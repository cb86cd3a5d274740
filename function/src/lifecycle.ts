/**
 * The life of an upload after its verdict (docs/lifecycle.md): a SUCCEEDED upload becomes
 * DELETED when its source object is deleted, or REPLACED when a newer upload of its key
 * succeeds; its thumbnails are deleted then (a replaced upload's only without
 * keepReplacedThumbnails). FAILED uploads have no thumbnails and stay FAILED.
 *
 * Ordering is by S3 sequencer through the key's state item (sourceKeyStateStore): a delete never
 * retires an upload newer than itself, a late create older than a handled delete or a newer
 * upload retires itself, and duplicates change nothing. Each step is idempotent and thumbnails
 * go before the record changes, so an attempt killed half-way is finished by its retry.
 */
import type { Dependencies } from "./processUpload";
import type { Removal, Upload } from "./adapters/s3Event";
import { RecordStatus, type ImageRecord } from "../../contract/record";
import { sequencerOrder } from "../../contract/sequencer";
import { getRecord, recordsOfKey, transitionRecord } from "./adapters/recordStore";
import { deleteThumbnails } from "./adapters/thumbnailStore";
import { claimCurrent, clearCurrent, recordKeyDeleted, recordVersionDeleted, type Standing } from "./adapters/sourceKeyStateStore";

export interface RemovalOutcome {
  status: "REMOVED";
  key: string;
  kind: Removal["kind"];
  /** ImageIDs whose records this event made DELETED (empty for a duplicate or a key with nothing current). */
  deleted: string[];
}

type Retirement =
  | { Status: typeof RecordStatus.Deleted; DeleteSequencer: string; DeleteEventName?: string }
  | { Status: typeof RecordStatus.Replaced; ReplacedBy: string };

/**
 * Retires one upload: deletes its thumbnails (unless a replacement keeps them), then moves its
 * record to DELETED or REPLACED if it is still as read. True when this call moved it.
 */
async function retire(record: ImageRecord, to: Retirement, deps: Dependencies): Promise<boolean> {
  const { config } = deps;
  const now = (deps.now?.() ?? new Date()).toISOString();
  const keep = to.Status === RecordStatus.Replaced && config.keepReplacedThumbnails === true;
  const holdsThumbnails = record.Thumbnails.length > 0 && record.ThumbnailsRemovedAt === undefined;
  if (holdsThumbnails && !keep) {
    await deleteThumbnails(
      deps.s3,
      record.ThumbnailBucket || config.thumbnailBucket,
      record.Thumbnails.map((t) => t.Key),
    );
  }
  const moved = await transitionRecord(deps.dynamo, config.metadataTable, record.ImageID, record.Status, {
    ...to,
    ...(to.Status === RecordStatus.Deleted ? { DeletedAt: now } : { ReplacedAt: now }),
    ...(holdsThumbnails && !keep ? { ThumbnailsRemovedAt: now } : {}),
  });
  if (moved) {
    deps.metrics.retired(to.Status);
    deps.logger.info(to.Status === RecordStatus.Deleted ? "upload deleted" : "upload replaced", {
      imageId: record.ImageID,
      key: record.SourceKey,
      thumbnailsDeleted: holdsThumbnails && !keep ? record.Thumbnails.map((t) => t.Key) : [],
      ...("ReplacedBy" in to ? { replacedBy: to.ReplacedBy } : {}),
    });
  }
  return moved;
}

/** Whether a record's upload still has something to retire for a delete. */
function retirable(record: ImageRecord): boolean {
  return (
    record.Status === RecordStatus.Succeeded ||
    (record.Status === RecordStatus.Replaced && record.Thumbnails.length > 0 && record.ThumbnailsRemovedAt === undefined)
  );
}

/**
 * After an upload's record is SUCCEEDED (first time or on a duplicate delivery): make it its
 * key's current upload and retire the one it displaces, or retire itself when a delete or a
 * newer upload of the key came first. Uploads without a sequencer (hand-made events) take no
 * part: they cannot be ordered against the key's other events.
 */
export async function settleSucceeded(upload: Upload, imageId: string, deps: Dependencies): Promise<Standing | undefined> {
  if (!upload.sequencer) return undefined;
  const { config } = deps;
  const standing = await claimCurrent(deps.dynamo, config.metadataTable, upload, imageId, deps.now?.() ?? new Date());
  if (standing.kind === "current") {
    if (standing.previousImageId) {
      const previous = await getRecord(deps.dynamo, config.metadataTable, standing.previousImageId);
      if (previous?.Status === RecordStatus.Succeeded) await retire(previous, { Status: RecordStatus.Replaced, ReplacedBy: imageId }, deps);
    }
    return standing;
  }
  const own = await getRecord(deps.dynamo, config.metadataTable, imageId);
  if (own?.Status === RecordStatus.Succeeded) {
    await retire(
      own,
      standing.kind === "deleted"
        ? { Status: RecordStatus.Deleted, DeleteSequencer: standing.deleteSequencer }
        : { Status: RecordStatus.Replaced, ReplacedBy: standing.by },
      deps,
    );
  }
  return standing;
}

/** Handles one ObjectRemoved event. */
export async function processRemoval(removal: Removal, deps: Dependencies): Promise<RemovalOutcome> {
  const { config } = deps;
  const now = deps.now?.() ?? new Date();
  const order = sequencerOrder(removal.sequencer);
  const deleted: string[] = [];
  const retirement: Retirement = { Status: RecordStatus.Deleted, DeleteSequencer: removal.sequencer, DeleteEventName: removal.eventName };

  if (removal.kind === "version") {
    const versionId = removal.versionId!;
    const state = await recordVersionDeleted(deps.dynamo, config.metadataTable, { ...removal, versionId }, now);
    const candidates = (await recordsOfKey(deps.dynamo, config.metadataTable, removal.key)).filter(
      (r) => r.SourceBucket === removal.bucket && r.VersionId === versionId,
    );
    if (state.CurrentImageID && state.CurrentVersionId === versionId && !candidates.some((r) => r.ImageID === state.CurrentImageID)) {
      const current = await getRecord(deps.dynamo, config.metadataTable, state.CurrentImageID);
      if (current) candidates.push(current);
    }
    for (const record of candidates) if (retirable(record) && (await retire(record, retirement, deps))) deleted.push(record.ImageID);
    if (state.CurrentImageID && state.CurrentVersionId === versionId) {
      await clearCurrent(deps.dynamo, config.metadataTable, removal.bucket, removal.key, state.CurrentImageID, now);
    }
    return { status: "REMOVED", key: removal.key, kind: removal.kind, deleted };
  }

  const state = await recordKeyDeleted(deps.dynamo, config.metadataTable, removal, now);
  // The key's uploads older than this delete: the current one from the state item (read
  // consistently, so it covers an upload settled a moment ago), older ones still holding
  // thumbnails from the index. Uploads newer than the delete are never touched.
  const candidates = new Map<string, ImageRecord>();
  for (const record of await recordsOfKey(deps.dynamo, config.metadataTable, removal.key)) {
    if (record.SourceBucket !== removal.bucket || !record.Sequencer) continue;
    if (sequencerOrder(record.Sequencer) < order) candidates.set(record.ImageID, record);
  }
  if (state.CurrentImageID && state.CurrentOrder && state.CurrentOrder < order && !candidates.has(state.CurrentImageID)) {
    const current = await getRecord(deps.dynamo, config.metadataTable, state.CurrentImageID);
    if (current) candidates.set(current.ImageID, current);
  }
  for (const record of candidates.values()) {
    if (retirable(record) && (await retire(record, retirement, deps))) deleted.push(record.ImageID);
  }
  deps.logger.info("source object removed", { key: removal.key, eventName: removal.eventName, sequencer: removal.sequencer, deleted });
  return { status: "REMOVED", key: removal.key, kind: removal.kind, deleted };
}
