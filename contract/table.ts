/**
 * The ImageMetadata table's keys and indexes: the stack creates them, the function writes
 * them, the operator commands query them. Attribute names of the rest of the record are in
 * the function's record module.
 */
export const Table = {
  /** Partition key (string). How it is derived: see the function's imageId module. */
  partitionKey: "ImageID",
  /** GSI: every record of one source object, newest upload first. */
  bySourceKey: { indexName: "BySourceKey", partitionKey: "SourceKey", sortKey: "UploadTime" },
  /**
   * Sparse GSI: only FAILED records carry `FailedStatus` (always "FAILED"), so the index holds
   * just the failures, ordered by processing time, and costs nothing for successes.
   */
  failuresByTime: { indexName: "FailuresByTime", partitionKey: "FailedStatus", sortKey: "ProcessedAt" },
} as const;
