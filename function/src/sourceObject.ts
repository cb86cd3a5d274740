/**
 * Reads exactly the upload an event describes: by version id in a versioned bucket, else
 * with If-Match on the event's ETag, so a late event never attributes a newer upload's
 * bytes to an older upload's record.
 */
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { FailureReason, PermanentError } from "./core/errors";
import { errorName, httpStatusOf, transient } from "./awsErrors";
import type { Upload } from "./s3Event";

const NULL_VERSION_ID = "null";

export interface SourceObject {
  bytes: Uint8Array;
  /** Content-Type the object was stored with. */
  contentType?: string;
}

export async function readSource(s3: S3Client, upload: Upload, maxObjectBytes: number): Promise<SourceObject> {
  const operation = `s3:GetObject s3://${upload.bucket}/${upload.key}`;
  // In a bucket whose versioning was suspended every upload gets the version id "null", and the
  // next upload of the key overwrites that version in place: it names no particular upload.
  const versionId = upload.versionId && upload.versionId !== NULL_VERSION_ID ? upload.versionId : undefined;
  let response;
  try {
    response = await s3.send(
      new GetObjectCommand({
        Bucket: upload.bucket,
        Key: upload.key,
        ...(versionId ? { VersionId: versionId } : upload.eTag ? { IfMatch: `"${upload.eTag}"` } : {}),
      }),
    );
  } catch (err) {
    const status = httpStatusOf(err);
    const name = errorName(err);
    if (name === "NoSuchKey" || name === "NoSuchVersion" || status === 404) {
      throw new PermanentError(FailureReason.SourceMissing, `the object no longer exists (${name}); it was deleted before it was processed`, { cause: err });
    }
    if (name === "PreconditionFailed" || status === 412) {
      throw superseded(upload, err);
    }
    throw transient(operation, err);
  }
  // S3 already answered 412 if the ETag differs; checking again also covers stores that ignore If-Match.
  const storedETag = (response.ETag ?? "").replace(/^"|"$/g, "");
  if (!versionId && upload.eTag && storedETag && storedETag !== upload.eTag) {
    (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
    throw superseded(upload);
  }
  const length = response.ContentLength ?? 0;
  if (length > maxObjectBytes) {
    // Not read: release the connection instead of draining a body we refuse.
    (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
    throw tooLarge(length, maxObjectBytes);
  }
  let bytes: Uint8Array;
  try {
    bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
  } catch (err) {
    throw transient(`${operation} (reading the body)`, err);
  }
  return { bytes, ...(response.ContentType ? { contentType: response.ContentType } : {}) };
}

export function tooLarge(size: number, maxObjectBytes: number): PermanentError {
  return new PermanentError(FailureReason.ObjectTooLarge, `object is ${size} bytes; the limit (MAX_OBJECT_BYTES) is ${maxObjectBytes}`);
}

function superseded(upload: Upload, cause?: unknown): PermanentError {
  return new PermanentError(
    FailureReason.Superseded,
    `the key was overwritten before this upload (ETag ${upload.eTag}) was read; the newer upload has its own event and record`,
    { cause },
  );
}
