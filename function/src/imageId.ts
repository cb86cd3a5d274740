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
import type { Upload } from "./s3Event";

export function uploadMark(upload: Pick<Upload, "sequencer" | "versionId" | "eTag">): string {
  if (upload.sequencer) return `sequencer:${upload.sequencer}`;
  if (upload.versionId) return `version:${upload.versionId}`;
  return `etag:${upload.eTag}`;
}

export function imageIdFor(upload: Pick<Upload, "bucket" | "key" | "sequencer" | "versionId" | "eTag">): string {
  return createHash("sha256")
    .update(JSON.stringify([upload.bucket, upload.key, uploadMark(upload)]), "utf8")
    .digest("hex")
    .slice(0, 32);
}
