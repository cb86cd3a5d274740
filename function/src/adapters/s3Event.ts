/**
 * Parses S3 event notifications into uploads. S3 URL-encodes object keys in events (with '+'
 * for spaces), so keys are decoded here; everything downstream uses the real key.
 */
import type { S3Event, S3EventRecord } from "aws-lambda";
import type { UploadIdentity } from "../../../contract/imageId";
import { decodeS3EventKey } from "../../../contract/s3EventKey";

export interface Upload extends UploadIdentity {
  /** Object size from the event, bytes. */
  size: number;
  /** Orders events of one key: a greater sequencer is a later event. */
  sequencer: string;
  /** The event's time (ISO-8601 UTC), i.e. when the upload completed. */
  eventTime: string;
  eventName: string;
}

export interface ParsedEvent {
  uploads: Upload[];
  /** Records that are not ObjectCreated events, with why they were skipped. */
  skipped: { eventName: string; reason: string }[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function parseS3Event(event: unknown): ParsedEvent {
  const records = isRecord(event) && Array.isArray(event.Records) ? (event.Records as S3EventRecord[]) : [];
  const uploads: Upload[] = [];
  const skipped: ParsedEvent["skipped"] = [];
  for (const record of records) {
    const eventName = String(record?.eventName ?? "");
    if (!eventName.startsWith("ObjectCreated:") || !isRecord(record?.s3)) {
      skipped.push({ eventName, reason: "not an ObjectCreated event" });
      continue;
    }
    const object = record.s3.object;
    if (typeof record.s3.bucket?.name !== "string" || typeof object?.key !== "string") {
      skipped.push({ eventName, reason: "malformed record: no bucket name or object key" });
      continue;
    }
    uploads.push({
      bucket: record.s3.bucket.name,
      key: decodeS3EventKey(object.key),
      size: Number(object.size ?? 0),
      eTag: String(object.eTag ?? "").replace(/^"|"$/g, ""),
      ...(object.versionId ? { versionId: object.versionId } : {}),
      sequencer: String(object.sequencer ?? ""),
      eventTime: record.eventTime,
      eventName,
    });
  }
  return { uploads, skipped };
}

export type { S3Event };
