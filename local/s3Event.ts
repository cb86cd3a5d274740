/**
 * S3 event notifications shaped as real S3 sends them to Lambda. s3rver's own events differ in
 * ways the function must not be allowed to depend on: its keys are not URL-encoded, its
 * sequencer is the millisecond clock (two uploads in one millisecond tie) and its ARN is
 * malformed. This module turns an s3rver event into what AWS would deliver.
 */
import { encodeS3EventKey } from "../contract/s3EventKey";
import type { S3EventRecordFromEmulator } from "./emulators";

/**
 * Real sequencers are hexadecimal strings that grow with each event for the same key; they are
 * compared after left-padding to equal length. Millisecond clock × 4096 plus a counter keeps
 * them strictly increasing within this process.
 */
export class Sequencer {
  private last = 0n;
  next(): string {
    const candidate = BigInt(Date.now()) * 4096n;
    this.last = candidate > this.last ? candidate : this.last + 1n;
    return this.last.toString(16).toUpperCase().padStart(16, "0");
  }
}

export interface S3ObjectCreatedRecord {
  eventVersion: string;
  eventSource: "aws:s3";
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: Record<string, string>;
  s3: {
    s3SchemaVersion: "1.0";
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size: number; eTag: string; versionId?: string; sequencer: string };
  };
}

export interface S3Event {
  Records: S3ObjectCreatedRecord[];
}

export function toAwsS3Event(
  record: S3EventRecordFromEmulator,
  options: { region: string; sequencer: Sequencer; versionId?: string },
): S3Event {
  const raw = record as S3EventRecordFromEmulator & {
    userIdentity?: { principalId: string };
    requestParameters?: { sourceIPAddress: string };
    responseElements?: Record<string, string>;
  };
  const bucket = record.s3.bucket.name;
  const object: S3ObjectCreatedRecord["s3"]["object"] = {
    key: encodeS3EventKey(record.s3.object.key),
    size: record.s3.object.size,
    eTag: record.s3.object.eTag,
    sequencer: options.sequencer.next(),
  };
  if (options.versionId) object.versionId = options.versionId;
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: options.region,
        eventTime: record.eventTime,
        eventName: record.eventName,
        userIdentity: raw.userIdentity ?? { principalId: "AWS:LOCAL" },
        requestParameters: raw.requestParameters ?? { sourceIPAddress: "127.0.0.1" },
        responseElements: raw.responseElements ?? {},
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "local-object-created",
          bucket: { name: bucket, ownerIdentity: { principalId: "LOCAL" }, arn: `arn:aws:s3:::${bucket}` },
          object,
        },
      },
    ],
  };
}
