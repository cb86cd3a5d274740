/**
 * The two kinds of failure the function distinguishes. A permanent failure is a fact about
 * the upload (not an image, corrupt, too large): retrying cannot change it, so the function
 * records it and the invocation succeeds. A transient failure is a fact about the moment (S3
 * or DynamoDB unavailable, throttled): the invocation throws so Lambda retries it.
 */

/** Why an upload permanently failed; the value of the record's Reason and of the Reason metric dimension. */
export const FailureReason = {
  /**
   * Content is not an image the function decodes (WebP, HEIC, SVG, text, …), judged by magic
   * bytes, or a TIFF whose compression the function does not decode (old-style JPEG, camera RAW codecs).
   */
  UnsupportedFormat: "UnsupportedFormat",
  /** Looks like a supported format but cannot be decoded (truncated, garbage, bad header). */
  CorruptImage: "CorruptImage",
  /** Object is larger than MAX_OBJECT_BYTES. */
  ObjectTooLarge: "ObjectTooLarge",
  /** Width × height in the header exceeds MAX_IMAGE_PIXELS (decompression-bomb guard). */
  TooManyPixels: "TooManyPixels",
  /**
   * Within the pixel limit but structured to cost far more work than its size warrants (e.g. a
   * JPEG with more scans than any real encoder writes): a CPU bomb, refused before decoding.
   */
  TooComplex: "TooComplex",
  /** Zero-byte object. */
  EmptyObject: "EmptyObject",
  /** The object no longer exists (deleted before it was processed). */
  SourceMissing: "SourceMissing",
  /** The key was overwritten before this upload was read, so its bytes are gone (unversioned bucket). */
  Superseded: "Superseded",
  /** The event names a bucket other than the configured source bucket. */
  UnexpectedBucket: "UnexpectedBucket",
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
