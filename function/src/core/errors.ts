/**
 * The two kinds of failure the function distinguishes. A permanent failure is a fact about
 * the upload (not an image, corrupt, too large): retrying cannot change it, so the function
 * records it and the invocation succeeds. A transient failure is a fact about the moment (S3
 * or DynamoDB unavailable, throttled): the invocation throws so Lambda retries it.
 */

import type { FailureReason } from "../../../contract/failureReasons";

/** A failure retrying cannot fix; recorded as a FAILED record with `reason`. */
export class PermanentError extends Error {
  override readonly name = "PermanentError";
  constructor(
    readonly reason: FailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failure of the moment (an AWS call failed); the invocation throws so Lambda retries. */
export class TransientError extends Error {
  override readonly name = "TransientError";
  constructor(
    /** What was being attempted, e.g. "s3:GetObject photos/cat.jpg". */
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
