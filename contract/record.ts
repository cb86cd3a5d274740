/**
 * The metadata record: one item per upload in the ImageMetadata table. This module is the
 * schema (README section "function" documents it for readers of the table).
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { Table } from "./table";
import type { FailureReason } from "./failureReasons";
import type { SourceFormat, ThumbnailFormat } from "./formats";
import type { Fit } from "./renditions";

/**
 * SUCCEEDED and FAILED are an upload's verdict; DELETED and REPLACED come later in its life
 * (docs/lifecycle.md): the source object was deleted, or a newer upload of the same key
 * succeeded. Only a SUCCEEDED upload becomes DELETED or REPLACED; FAILED ones stay FAILED.
 */
export const RecordStatus = { Succeeded: "SUCCEEDED", Failed: "FAILED", Deleted: "DELETED", Replaced: "REPLACED" } as const;
export type RecordStatus = (typeof RecordStatus)[keyof typeof RecordStatus];

export interface ThumbnailEntry {
  /** Bounding size the thumbnail was made for: its rendition's box width. */
  Size: number;
  /** The rendition's name (the size, for thumbnailSizes); absent in records written before renditions. */
  Rendition?: string;
  /** inside or cover; absent in records written before renditions (inside). */
  Fit?: Fit;
  /** Cover only: the part of the source shown, in upright (EXIF orientation applied) source pixels. */
  Crop?: { X: number; Y: number; Width: number; Height: number };
  Key: string;
  Width: number;
  Height: number;
  Bytes: number;
  Format: ThumbnailFormat;
  ContentType: string;
}

export interface ImageRecord {
  /** Partition key; see imageId.ts. */
  ImageID: string;
  Status: RecordStatus;
  SourceBucket: string;
  /** The decoded object key (BySourceKey partition key). */
  SourceKey: string;
  /** Last segment of the key. */
  FileName: string;
  /** Object size in bytes. */
  SizeBytes: number;
  /** Content-Type the object was stored with (the uploader's claim), when read. */
  ContentType?: string;
  /** Format judged from the content's magic bytes, when recognised. */
  DetectedFormat?: SourceFormat;
  /** Displayed dimensions (EXIF orientation applied), when the header could be read. */
  Width?: number;
  Height?: number;
  /** EXIF orientation 1–8. */
  Orientation?: number;
  HasAlpha?: boolean;
  /** The event's time, ISO-8601 UTC (BySourceKey sort key). */
  UploadTime: string;
  /** When this record was written, ISO-8601 UTC (FailuresByTime sort key). */
  ProcessedAt: string;
  ThumbnailBucket: string;
  /**
   * Largest first; empty when FAILED. Kept as history when DELETED or REPLACED: whether the
   * objects still exist is ThumbnailsRemovedAt's absence.
   */
  Thumbnails: ThumbnailEntry[];
  /** When the thumbnail objects were deleted (DELETED, or REPLACED without keepReplacedThumbnails). */
  ThumbnailsRemovedAt?: string;
  /** DELETED only: when the delete was handled, and the sequencer and name of its S3 event. */
  DeletedAt?: string;
  DeleteSequencer?: string;
  DeleteEventName?: string;
  /** REPLACED only: when, and the ImageID of the newer upload of the same key that replaced it. */
  ReplacedAt?: string;
  ReplacedBy?: string;
  /** FAILED only: machine-readable reason (also the Reason metric dimension). */
  Reason?: FailureReason;
  /** FAILED only: what exactly was wrong, for people. */
  ErrorMessage?: string;
  /** FAILED only, always "FAILED": the sparse FailuresByTime index's partition key. */
  FailedStatus?: typeof RecordStatus.Failed;
  /** SUCCEEDED: renditionSpecOf() the settings the thumbnails were made with (contract/renditionSpec.ts). */
  RenditionSpec?: string;
  /** FAILED: attemptSpecOf() the settings, limits and decoders it failed under (contract/renditionSpec.ts). */
  AttemptSpec?: string;
  /** Milliseconds from the start of processing to writing the record. */
  DurationMs: number;
  /** ETag from the event, without quotes. */
  ETag: string;
  /** Present when the source bucket is versioned. */
  VersionId?: string;
  Sequencer: string;
  EventName: string;
  /**
   * Random id of the attempt that wrote the record. When a write's acknowledgement is lost and
   * the SDK's retry of it fails the condition, the record carrying this attempt's id shows that
   * the write was this attempt's own (recordStore.putRecord).
   */
  AttemptId?: string;
}

// The table's key and index attributes (contract/table.ts) must be fields of the record:
// renaming either side without the other fails to compile.
type IsField<Name> = Name extends keyof ImageRecord ? true : never;
export const TABLE_KEY_FIELDS_ARE_RECORD_FIELDS: [
  IsField<typeof Table.partitionKey>,
  IsField<typeof Table.bySourceKey.partitionKey>,
  IsField<typeof Table.bySourceKey.sortKey>,
  IsField<typeof Table.failuresByTime.partitionKey>,
  IsField<typeof Table.failuresByTime.sortKey>,
] = [true, true, true, true, true];

export function fileNameOf(key: string): string {
  const segments = key.split("/");
  return segments[segments.length - 1];
}

type Plain = string | number | boolean | Plain[] | { [name: string]: Plain | undefined };

function marshal(value: Plain): AttributeValue {
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(marshal) };
  return { M: marshalMap(value) };
}

function marshalMap(value: { [name: string]: Plain | undefined }): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, v] of Object.entries(value)) {
    // DynamoDB rejects empty strings in key attributes; optional fields are simply absent.
    if (v === undefined || v === "") continue;
    out[name] = marshal(v);
  }
  return out;
}

export function toItem(record: ImageRecord): Record<string, AttributeValue> {
  return marshalMap(record as unknown as { [name: string]: Plain });
}

/** The DynamoDB type of an attribute value: "S", "NULL", "SS", … */
export function attributeType(value: AttributeValue): string {
  return (
    Object.keys(value)
      .filter((k) => k !== "$unknown" && (value as unknown as Record<string, unknown>)[k] !== undefined)
      .join(",") || "none"
  );
}

function unmarshal(value: AttributeValue, path: string): Plain {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.L !== undefined) return value.L.map((v, i) => unmarshal(v, `${path}[${i}]`));
  if (value.M !== undefined) return fromItemMap(value.M, `${path}.`);
  throw new Error(`attribute ${path} has DynamoDB type ${attributeType(value)}; the record schema uses only S, N, BOOL, L and M`);
}

function fromItemMap(item: Record<string, AttributeValue>, prefix = ""): { [name: string]: Plain } {
  const out: { [name: string]: Plain } = {};
  for (const [name, v] of Object.entries(item)) out[name] = unmarshal(v, `${prefix}${name}`);
  return out;
}

export function fromItem(item: Record<string, AttributeValue>): ImageRecord {
  const record = fromItemMap(item) as unknown as ImageRecord;
  record.Thumbnails ??= [];
  return record;
}
