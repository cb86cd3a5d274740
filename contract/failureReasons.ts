/**
 * Why an upload ended FAILED: the record's Reason, the Reason dimension of the ImagesFailed
 * metric, and whether another delivery of the same upload may change the verdict. Shared by the
 * function, the operator commands and anything that reads the table.
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
  /**
   * The object is in an archive storage class or tier (S3 Glacier Flexible Retrieval, Deep
   * Archive, Intelligent-Tiering Archive/Deep Archive Access): S3 answers 403 InvalidObjectState
   * until someone restores a copy.
   */
  SourceArchived: "SourceArchived",
  /** The object is encrypted with a customer-provided key (SSE-C), which the function never has. */
  SourceEncryptedWithCustomerKey: "SourceEncryptedWithCustomerKey",
  /**
   * The upload's existing record has an attribute the function cannot read (edited by hand to
   * another type). Metric and log only: the record is left as it is (see processUpload).
   */
  RecordUnreadable: "RecordUnreadable",
  /** Decoding ran past the per-image time budget (DECODE_TIMEOUT_MS) and was stopped: a decoder hang or a file built to be slow. */
  DecodeTimeout: "DecodeTimeout",
  /** Decoding pushed the process past its memory bound (a share of the function's memory) and was stopped: a bomb the header checks did not see. */
  DecodeTooLarge: "DecodeTooLarge",
  /**
   * An allocation failed while the image was being made: the runtime or a decoder's WASM heap
   * could not give the memory asked for (RangeError "Array buffer allocation failed", a
   * WebAssembly memory that cannot grow). A bomb the header checks did not see, stopped by
   * the allocator instead of the memory bound.
   */
  AllocationFailed: "AllocationFailed",
  /** The decoder thread died without an answer (a crash inside a decoder, not a fault of the invocation). */
  DecoderCrashed: "DecoderCrashed",
  /**
   * The image could not be finished before the invocation's deadline (the Lambda timeout) less
   * the margin kept to write its record, though it had the invocation's time to itself: no
   * earlier upload of the same event used it. Stopped and recorded instead of being killed
   * with the invocation, retried and dead-lettered.
   */
  ProcessingTimeout: "ProcessingTimeout",
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];

/**
 * Whether a FAILED record with this reason is final: a duplicate delivery or a later attempt of
 * the same upload skips it instead of processing again. Final reasons are facts about the
 * upload's bytes or its event, which another attempt would only find again (and would record a
 * second time, overwriting ProcessedAt and counting ImagesFailed twice). Reasons that are facts
 * about the moment stay open, because a later attempt can learn more: an archived object can be
 * restored, and a "missing" or "superseded" upload may turn out to have thumbnails an earlier
 * attempt wrote. Such a record is replaced only by a better verdict (SUCCEEDED, or a final
 * reason), never by another moment failure. A new reason must be classified here: the type
 * makes a missing entry a compile error.
 */
export const REASON_IS_FINAL: { readonly [R in FailureReason]: boolean } = {
  UnsupportedFormat: true,
  CorruptImage: true,
  // Limits: to reprocess after raising one, run `npm run backfill -- --retry-failed` (docs/lifecycle.md).
  ObjectTooLarge: true,
  TooManyPixels: true,
  TooComplex: true,
  // The decode backstop: another attempt would run the same bytes into the same decoder and
  // spend the same budget again.
  DecodeTimeout: true,
  DecodeTooLarge: true,
  AllocationFailed: true,
  DecoderCrashed: true,
  // Only recorded when the image had the invocation's time to itself (see processUpload): a
  // retry gets the same timeout and would be stopped again. An image that ran out of time
  // because earlier uploads of its event used it is not recorded but retried (transient).
  ProcessingTimeout: true,
  EmptyObject: true,
  UnexpectedBucket: true,
  // The key cannot be removed from an existing object: re-encrypting it is a new upload.
  SourceEncryptedWithCustomerKey: true,
  SourceMissing: false,
  Superseded: false,
  SourceArchived: false,
  // Never written to a record; listed for completeness.
  RecordUnreadable: true,
};

export function isFinalReason(reason: FailureReason): boolean {
  return REASON_IS_FINAL[reason];
}

/**
 * Whether a FAILED upload with this reason may succeed once the stack or the function changes
 * (a raised limit, more memory or time, a new decoder, a fixed decoder bug), so that
 * `npm run backfill -- --retry-failed` processes it again. Facts about the bytes themselves
 * (corrupt, empty, encrypted with a customer key) and about the event (wrong bucket) are not.
 */
export const REASON_IS_RETRYABLE_AFTER_FIX: { readonly [R in FailureReason]: boolean } = {
  UnsupportedFormat: true,
  CorruptImage: false,
  ObjectTooLarge: true,
  TooManyPixels: true,
  TooComplex: true,
  DecodeTimeout: true,
  DecodeTooLarge: true,
  AllocationFailed: true,
  DecoderCrashed: true,
  ProcessingTimeout: true,
  EmptyObject: false,
  UnexpectedBucket: false,
  SourceEncryptedWithCustomerKey: false,
  // Moment reasons: a backfill finds the object there now, so the moment has passed.
  SourceMissing: true,
  Superseded: true,
  SourceArchived: true,
  RecordUnreadable: false,
};
