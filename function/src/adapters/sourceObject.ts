/**
 * Reads exactly the upload an event describes: by version id in a versioned bucket, else
 * with If-Match on the event's ETag, so a late event never attributes a newer upload's
 * bytes to an older upload's record.
 */
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { FailureReason } from "../../../contract/failureReasons";
import { PermanentError } from "../core/errors";
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
      throw new PermanentError(
        FailureReason.SourceMissing,
        `the object no longer exists (${name}); it was deleted before it was processed`,
        { cause: err },
      );
    }
    if (name === "PreconditionFailed" || status === 412) {
      throw superseded(upload, err);
    }
    const permanent = permanentReadError(err);
    if (permanent) throw permanent;
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

/**
 * GetObject errors that are facts about the object rather than about the moment or the stack
 * (S3 API reference, GetObject). AccessDenied is deliberately not among them: with
 * s3:ListBucket granted, a missing object is 404, so a 403 AccessDenied means a policy or KMS
 * key grant is wrong; that is the stack's to fix, so it stays transient and lands in the
 * dead-letter queue for a redrive after the fix.
 */
function permanentReadError(err: unknown): PermanentError | undefined {
  const name = errorName(err);
  const status = httpStatusOf(err);
  const message = (err as Error)?.message ?? "";
  if (name === "InvalidObjectState") {
    // Glacier Flexible Retrieval, Deep Archive, Intelligent-Tiering Archive/Deep Archive Access.
    const storage = [(err as { StorageClass?: string }).StorageClass, (err as { AccessTier?: string }).AccessTier]
      .filter(Boolean)
      .join(" ");
    return new PermanentError(
      FailureReason.SourceArchived,
      `the object is archived${storage ? ` (${storage})` : ""} and cannot be read until a copy is restored (S3 InvalidObjectState, HTTP ${status ?? "403"}); restore it and process the upload again`,
      { cause: err },
    );
  }
  // S3 answers a GET without the customer key with 400 InvalidRequest "The object was stored
  // using a form of Server Side Encryption…"; InvalidRequest alone has many other causes.
  if (name === "InvalidRequest" && (status === undefined || status === 400) && /server[- ]side encryption/i.test(message)) {
    return new PermanentError(
      FailureReason.SourceEncryptedWithCustomerKey,
      `the object is encrypted with a customer-provided key (SSE-C), which the function does not have: ${message}`,
      { cause: err },
    );
  }
  return undefined;
}

/**
 * How long after its event a 404 is taken for S3 still settling rather than for a deletion.
 * In a bucket's first minutes (S3 asks to wait 15 minutes after enabling versioning before
 * writing) a GET of a just-announced object can briefly answer 404. Such a 404 is transient, so
 * Lambda retries; after the window it is SourceMissing. Two minutes fits Lambda's asynchronous
 * retry schedule (a retry about 1 minute after the first failure, the next about 2 minutes
 * later): with the stack's default asyncMaxRetryAttempts = 2 the first two attempts are inside
 * the window and the third (about 3 minutes after the event) is outside it, so a genuinely
 * deleted upload still ends as a SourceMissing record, never as a dead letter. With fewer
 * retries it can reach the dead-letter queue; `npm run redrive` replays it later, outside the
 * window, and then records it. The full 15 minutes cannot be waited for within the retries.
 */
export const MISSING_SOURCE_GRACE_MS = 2 * 60_000;

/** Whether a 404 for this upload may still be S3 settling (see MISSING_SOURCE_GRACE_MS). */
export function mayStillAppear(upload: Pick<Upload, "eventTime">, now: Date): boolean {
  const age = now.getTime() - Date.parse(upload.eventTime);
  return Number.isFinite(age) && age < MISSING_SOURCE_GRACE_MS;
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
