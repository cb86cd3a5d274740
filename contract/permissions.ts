/**
 * Every AWS action the function's code performs, grouped by the resource it acts on. The
 * execution role (infra/) grants exactly these and nothing else; the function must not call
 * anything not listed here. Change both sides by changing this file.
 */
export const FunctionPermissions = {
  /** Objects of the source bucket: read the upload (a specific version when the bucket is versioned). */
  sourceObjects: ["s3:GetObject", "s3:GetObjectVersion"],
  /**
   * The source bucket itself: without s3:ListBucket, S3 answers a GetObject for a key that no
   * longer exists with 403 AccessDenied instead of 404 NoSuchKey, and the function could not
   * tell a deleted upload (permanent) from a permissions fault.
   */
  sourceBucket: ["s3:ListBucket"],
  /**
   * Objects of the thumbnail bucket: write thumbnails (no object tagging, no ACLs); read
   * their metadata (HEAD needs s3:GetObject) when an attempt that cannot read its source looks
   * for the thumbnails an earlier attempt wrote; delete the thumbnails of a deleted or
   * replaced upload (docs/lifecycle.md).
   */
  thumbnailObjects: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
  /** The thumbnail bucket itself: list one upload's thumbnail keys (same rare path as above). */
  thumbnailBucket: ["s3:ListBucket"],
  /**
   * The ImageMetadata table (not its indexes): conditional writes and reads by key, and the
   * conditional updates of a record's lifecycle (DELETED, REPLACED) and of a key's state item.
   */
  metadataTable: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
  /** The BySourceKey index only: a deleted key's older uploads that still hold thumbnails. */
  bySourceKeyIndex: ["dynamodb:Query"],
  /** The on-failure destination of asynchronous invocations. */
  deadLetterQueue: ["sqs:SendMessage"],
  /** The function's own log group. */
  logGroup: ["logs:CreateLogStream", "logs:PutLogEvents"],
} as const;
