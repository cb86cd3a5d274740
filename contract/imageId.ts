/**
 * ImageID: the identity of one upload, and the partition key of its record.
 *
 *   ImageID = hex(SHA-256(JSON.stringify([bucket, key, uploadMark])))[0..32)
 *
 * where uploadMark is the event's sequencer (S3 gives every event of a key a distinct,
 * increasing sequencer); for hand-made events without one, the version id, else the ETag.
 * So a duplicate delivery of one event maps to the same ImageID (one record, the same
 * thumbnails), and a new upload of the same key maps to a new one.
 */
import { createHash } from "crypto";

/** What identifies an upload in its S3 event (the function's Upload has these and more). */
export interface UploadIdentity {
  bucket: string;
  /** The object key, decoded. */
  key: string;
  /** The event's sequencer; empty in hand-made events. */
  sequencer: string;
  versionId?: string;
  /** ETag, without quotes. */
  eTag: string;
}

export function uploadMark(upload: Pick<UploadIdentity, "sequencer" | "versionId" | "eTag">): string {
  if (upload.sequencer) return `sequencer:${upload.sequencer}`;
  if (upload.versionId) return `version:${upload.versionId}`;
  return `etag:${upload.eTag}`;
}

export function imageIdFor(upload: UploadIdentity): string {
  return createHash("sha256")
    .update(JSON.stringify([upload.bucket, upload.key, uploadMark(upload)]), "utf8")
    .digest("hex")
    .slice(0, 32);
}
