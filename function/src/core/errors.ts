/**
 * The two kinds of failure the function distinguishes. A permanent failure is a fact about
 * the upload (not an image, corrupt, too large): retrying cannot change it, so the function
 * records it and the invocation succeeds. A transient failure is a fact about the moment (S3
 * or DynamoDB unavailable, throttled): the invocation throws so Lambda retries it.
 */

/** Why an upload permanently failed; the value of the record's Reason and of the Reason metric dimension. */
export const FailureReason = {
  /** Content is not an image the function decodes (WebP, HEIC, SVG, text, …), judged by magic bytes. */
  UnsupportedFormat: "UnsupportedFormat",
  /** Looks like a supported format but cannot be decoded (truncated, garbage, bad header). */
  CorruptImage: "CorruptImage",
  /** Object is larger than MAX_OBJECT_BYTES. */
  ObjectTooLarge: "ObjectTooLarge",
  /** Width × height in the header exceeds MAX_IMAGE_PIXELS (decompression-bomb guard). */
  TooManyPixels: "TooManyPixels",
  /** Zero-byte object. */
  EmptyObject: "EmptyObject",
  /** The object no longer exists (deleted before it was processed). */
  SourceMissing: "SourceMissing",
  /** The key was overwritten before this upload was read, so its bytes are gone (unversioned bucket). */
  Superseded: "Superseded",
  /** The event names a bucket other than the configured source bucket. */
  UnexpectedBucket: "UnexpectedBucket",
  /** Decoding ran past the per-image time budget (DECODE_TIMEOUT_MS) and was stopped: a decoder hang or a file built to be slow. */
  DecodeTimeout: "DecodeTimeout",
  /** Decoding pushed the process past its memory bound (a share of the function's memory) and was stopped: a bomb the header checks did not see. */
  DecodeTooLarge: "DecodeTooLarge",
  /** The decoder thread died without an answer (a crash inside a decoder, not a fault of the invocation). */
  DecoderCrashed: "DecoderCrashed",
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];

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

export function isPermanent(err: unknown): err is PermanentError {
  return err instanceof PermanentError;
}
