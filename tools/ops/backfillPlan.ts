/**
 * What `npm run backfill` does with one source object, decided from the object, the records of
 * its key and the key's state item alone (no AWS here), and the S3-shaped event it invokes the
 * function with.
 */
import { REASON_IS_RETRYABLE_AFTER_FIX, type FailureReason } from "../../contract/failureReasons";
import { RecordStatus, type ImageRecord } from "../../contract/record";
import { compareSequencers, sequencerJustAfter } from "../../contract/sequencer";
import { encodeS3EventKey } from "../../contract/s3EventKey";
import type { SourceKeyState } from "../../contract/sourceKeyState";

export interface SourceObjectListing {
  key: string;
  /** Without quotes. */
  eTag: string;
  size: number;
  lastModified: Date;
}

export type PlanReason =
  /** No record of this object's bytes: its event was lost, or the object predates the stack. */
  | "missing"
  /** SUCCEEDED, but made with other settings than the function's current ones. */
  | "stale"
  /** FAILED with a reason that a change may fix, and the limits, memory or decoders changed since (--retry-failed). */
  | "retry-failed";

export type SkipReason = "current" | "failed" | "folder";

export type Plan = { invoke: true; why: PlanReason; sequencer: string } | { invoke: false; why: SkipReason };

function latestFirst(a: ImageRecord, b: ImageRecord): number {
  if (!a.Sequencer || !b.Sequencer) return a.Sequencer ? -1 : b.Sequencer ? 1 : 0;
  return compareSequencers(b.Sequencer, a.Sequencer);
}

/** The latest sequencer the key's records and its state know of (uploads and deletes). */
function latestKnown(records: ImageRecord[], state: Partial<SourceKeyState> | undefined): string | undefined {
  const known = [...records.map((r) => r.Sequencer), state?.DeletedSequencer].filter((s): s is string => !!s);
  return known.sort(compareSequencers).at(-1);
}

export function planObject(
  object: SourceObjectListing,
  recordsOfKey: ImageRecord[],
  state: Partial<SourceKeyState> | undefined,
  options: { spec: string; attemptSpec: string; retryFailed: boolean },
): Plan {
  if (object.key.endsWith("/") && object.size === 0) return { invoke: false, why: "folder" };
  // Records of these very bytes; a DELETED or REPLACED one no longer speaks for the object
  // that is there now (deleted and uploaded again with the same bytes, the event lost).
  const own = recordsOfKey
    .filter((r) => r.ETag === object.eTag && (r.Status === RecordStatus.Succeeded || r.Status === RecordStatus.Failed))
    .sort(latestFirst);
  const succeeded = own.find((r) => r.Status === RecordStatus.Succeeded);
  if (succeeded) {
    if (succeeded.RenditionSpec === options.spec) return { invoke: false, why: "current" };
    // Just after the record it reprocesses: the new upload replaces it, and anything S3 reports
    // for the key afterwards still wins over both.
    return { invoke: true, why: "stale", sequencer: sequencerJustAfter(succeeded.Sequencer) };
  }
  const failed = own[0];
  if (failed) {
    // Only when something it depends on changed since: otherwise it would fail again, every run.
    const retry =
      options.retryFailed && REASON_IS_RETRYABLE_AFTER_FIX[failed.Reason as FailureReason] && failed.AttemptSpec !== options.attemptSpec;
    if (!retry) return { invoke: false, why: "failed" };
    return { invoke: true, why: "retry-failed", sequencer: sequencerJustAfter(latestKnown(recordsOfKey, state)) };
  }
  return { invoke: true, why: "missing", sequencer: sequencerJustAfter(latestKnown(recordsOfKey, state)) };
}

/** The event the function is invoked with: an ObjectCreated record as S3 shapes it, named "ObjectCreated:Backfill". */
export function backfillEvent(bucket: string, region: string, object: SourceObjectListing, sequencer: string) {
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: region,
        // The upload's own time, so the record's UploadTime says when the image arrived.
        eventTime: object.lastModified.toISOString(),
        eventName: "ObjectCreated:Backfill",
        userIdentity: { principalId: "backfill" },
        requestParameters: { sourceIPAddress: "backfill" },
        responseElements: {},
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "backfill",
          bucket: { name: bucket, ownerIdentity: { principalId: "backfill" }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeS3EventKey(object.key), size: object.size, eTag: object.eTag, sequencer },
        },
      },
    ],
  };
}
