/**
 * Parses S3 event notifications into uploads (ObjectCreated:*) and removals (ObjectRemoved:*).
 * S3 URL-encodes object keys in events (with '+'
 * for spaces), so keys are decoded here; everything downstream uses the real key.
 */
import type { S3Event, S3EventRecord } from "aws-lambda";
import type { UploadIdentity } from "../../../contract/imageId";
import { decodeS3EventKey } from "../../../contract/s3EventKey";

export interface Upload extends UploadIdentity {
  /** Object size from the event, bytes. */
  size: number;
  /** Orders events of one key: a greater sequencer is a later event. */
  sequencer: string;
  /** The event's time (ISO-8601 UTC), i.e. when the upload completed. */
  eventTime: string;
  eventName: string;
}

/**
 * A removal of a source object. `key`: the object key is deleted (unversioned bucket) or hidden
 * by a delete marker (versioned bucket). `version`: one version was deleted for good (a DELETE
 * naming its version id), which removes only that version.
 */
export interface Removal {
  bucket: string;
  key: string;
  kind: "key" | "version";
  /** The deleted version (kind "version"), or the delete marker's own version id. */
  versionId?: string;
  sequencer: string;
  eventTime: string;
  eventName: string;
}

export interface ParsedEvent {
  uploads: Upload[];
  removals: Removal[];
  /** Records that are neither, or malformed, with why they were skipped. */
  skipped: { eventName: string; reason: string }[];
}

/** S3 writes versionId "null" for objects of a bucket whose versioning was never enabled or is suspended. */
function realVersion(versionId: unknown): string | undefined {
  return typeof versionId === "string" && versionId !== "" && versionId !== "null" ? versionId : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function parseS3Event(event: unknown): ParsedEvent {
  const records = isRecord(event) && Array.isArray(event.Records) ? (event.Records as S3EventRecord[]) : [];
  const uploads: Upload[] = [];
  const removals: Removal[] = [];
  const skipped: ParsedEvent["skipped"] = [];
  for (const record of records) {
    const eventName = String(record?.eventName ?? "");
    const created = eventName.startsWith("ObjectCreated:");
    const removed = eventName.startsWith("ObjectRemoved:");
    if ((!created && !removed) || !isRecord(record?.s3)) {
      skipped.push({ eventName, reason: "not an ObjectCreated or ObjectRemoved event" });
      continue;
    }
    const object = record.s3.object;
    if (typeof record.s3.bucket?.name !== "string" || typeof object?.key !== "string") {
      skipped.push({ eventName, reason: "malformed record: no bucket name or object key" });
      continue;
    }
    if (removed) {
      const sequencer = String(object.sequencer ?? "");
      // Without its sequencer a delete cannot be ordered against the key's uploads, and a
      // delete applied out of order would remove a newer upload's thumbnails.
      if (!/^[0-9A-Fa-f]{1,64}$/.test(sequencer)) {
        skipped.push({ eventName, reason: `malformed record: a removal needs the sequencer S3 sends (hexadecimal), got "${sequencer}"` });
        continue;
      }
      const versionId = realVersion(object.versionId);
      removals.push({
        bucket: record.s3.bucket.name,
        key: decodeS3EventKey(object.key),
        kind: eventName === "ObjectRemoved:Delete" && versionId ? "version" : "key",
        ...(versionId ? { versionId } : {}),
        sequencer,
        eventTime: record.eventTime,
        eventName,
      });
      continue;
    }
    uploads.push({
      bucket: record.s3.bucket.name,
      key: decodeS3EventKey(object.key),
      size: Number(object.size ?? 0),
      eTag: String(object.eTag ?? "").replace(/^"|"$/g, ""),
      ...(object.versionId ? { versionId: object.versionId } : {}),
      sequencer: String(object.sequencer ?? ""),
      eventTime: record.eventTime,
      eventName,
    });
  }
  return { uploads, removals, skipped };
}

export type { S3Event };
