/**
 * The state of one source object key, kept in the ImageMetadata table beside the upload
 * records: which upload of the key is current, and the latest delete of it. Records are per
 * upload (ImageID); this item is per key, and it is what makes deletes and replacements safe
 * when S3 delivers a key's events out of order or twice — each change to it is one conditional
 * write, read back consistently, whereas the BySourceKey index is only eventually consistent.
 *
 * It is not a record: it has ItemType "SourceKeyState", no Status and no SourceKey, so the
 * BySourceKey and FailuresByTime indexes never hold it. A consumer finds the current upload
 * of a key with one GetItem on sourceKeyStateId(bucket, key) (docs/lifecycle.md).
 */
import { createHash } from "crypto";

export const SOURCE_KEY_STATE_ITEM_TYPE = "SourceKeyState";

export interface SourceKeyState {
  /** The table's partition key: sourceKeyStateId(bucket, key). */
  ImageID: string;
  ItemType: typeof SOURCE_KEY_STATE_ITEM_TYPE;
  ObjectBucket: string;
  /** The object key (not named SourceKey, so the BySourceKey index leaves this item out). */
  ObjectKey: string;
  /** The newest SUCCEEDED upload of the key, unless a later delete removed it. */
  CurrentImageID?: string;
  /** sequencerOrder() of the current upload's event. */
  CurrentOrder?: string;
  /** The current upload's version (versioned buckets). */
  CurrentVersionId?: string;
  /** sequencerOrder() of the latest delete (or delete marker) of the key, and its sequencer as S3 sent it. */
  DeletedOrder?: string;
  DeletedSequencer?: string;
  /** Versions deleted one by one (versioned buckets), so a late create event of one cannot bring it back. */
  DeletedVersions?: string[];
  UpdatedAt: string;
}

/** Partition key of a key's state item; "key:" keeps it apart from ImageIDs (32 hex digits). */
export function sourceKeyStateId(bucket: string, key: string): string {
  return `key:${createHash("sha256")
    .update(JSON.stringify([bucket, key]), "utf8")
    .digest("hex")
    .slice(0, 32)}`;
}

/**
 * The key's current upload: CurrentImageID, unless a delete later than it came since (a delete
 * leaves CurrentImageID in place as history; the orders tell which came last).
 */
export function currentImageIdOf(state: Pick<SourceKeyState, "CurrentImageID" | "CurrentOrder" | "DeletedOrder">): string | undefined {
  if (!state.CurrentImageID || !state.CurrentOrder) return undefined;
  return state.DeletedOrder && state.DeletedOrder > state.CurrentOrder ? undefined : state.CurrentImageID;
}

/** Whether a table item is a key's state rather than an upload record (for programs that scan the table). */
export function isSourceKeyState(item: { ItemType?: unknown } | Record<string, { S?: string } | undefined>): boolean {
  const type = (item as { ItemType?: unknown }).ItemType;
  return (
    type === SOURCE_KEY_STATE_ITEM_TYPE ||
    (typeof type === "object" && type !== null && (type as { S?: string }).S === SOURCE_KEY_STATE_ITEM_TYPE)
  );
}
