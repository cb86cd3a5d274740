/**
 * Reads what the function left behind for one upload: its metadata record (newest record of
 * the source key, through the BySourceKey index) and the thumbnails the record lists.
 */
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { Table } from "../function/src/contract/table";
import type { Emulators } from "./emulators";

export type MetadataRecord = Record<string, unknown>;

export interface ThumbnailFacts {
  key: string;
  width?: number;
  height?: number;
  bytes?: number;
}

/** The facts the report needs from a record. */
export interface RecordFacts {
  imageId?: string;
  status?: string;
  reason?: string;
  width?: number;
  height?: number;
  thumbnails: ThumbnailFacts[];
}

function field(record: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) if (record[name] !== undefined && record[name] !== null) return record[name];
  return undefined;
}

const asNumber = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && v !== "" && !isNaN(Number(v)) ? Number(v) : undefined);
const asString = (v: unknown) => (v === undefined ? undefined : String(v));

export function recordFacts(record: MetadataRecord): RecordFacts {
  const thumbnails = field(record, "Thumbnails", "thumbnails");
  return {
    imageId: asString(field(record, Table.partitionKey)),
    status: asString(field(record, "Status", "status")),
    reason: asString(field(record, "Reason", "FailureReason", "reason")),
    width: asNumber(field(record, "Width", "width")),
    height: asNumber(field(record, "Height", "height")),
    thumbnails: (Array.isArray(thumbnails) ? thumbnails : []).map((t: Record<string, unknown>) => ({
      key: String(field(t, "Key", "key")),
      width: asNumber(field(t, "Width", "width")),
      height: asNumber(field(t, "Height", "height")),
      bytes: asNumber(field(t, "Bytes", "Size", "SizeBytes", "bytes", "size")),
    })),
  };
}

export class RecordReader {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    private readonly emulators: Emulators,
    private readonly tableName: string,
    private readonly thumbnailBucket: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(emulators.dynamo);
  }

  /** The newest record of a source key, or undefined if the function wrote none. */
  async latestRecord(sourceKey: string): Promise<MetadataRecord | undefined> {
    const { Items } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: Table.bySourceKey.indexName,
        KeyConditionExpression: "#k = :k",
        ExpressionAttributeNames: { "#k": Table.bySourceKey.partitionKey },
        ExpressionAttributeValues: { ":k": sourceKey },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return Items?.[0];
  }

  async thumbnail(key: string): Promise<Buffer> {
    const response = await this.emulators.s3.send(new GetObjectCommand({ Bucket: this.thumbnailBucket, Key: key }));
    return Buffer.from(await response.Body!.transformToByteArray());
  }
}
