/**
 * Reads what the function left behind for one upload: its metadata record (newest record of
 * the source key, through the BySourceKey index) and the thumbnails the record lists.
 */
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { Table } from "../contract/table";
import { imageIdFor } from "../contract/imageId";
import type { ImageRecord } from "../contract/record";
import type { Emulators } from "./emulators";

/** The record as the function writes it (contract/record.ts is the schema). */
export type MetadataRecord = ImageRecord;

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

export function recordFacts(record: MetadataRecord): RecordFacts {
  return {
    imageId: record.ImageID,
    status: record.Status,
    reason: record.Reason,
    width: record.Width,
    height: record.Height,
    thumbnails: (record.Thumbnails ?? []).map((t) => ({ key: t.Key, width: t.Width, height: t.Height, bytes: t.Bytes })),
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

  /**
   * The record of one upload: by its ImageID, derived as the function derives it; failing that
   * (the derivation changed), the newest record of the key.
   */
  async recordOf(upload: {
    bucket: string;
    key: string;
    sequencer: string;
    eTag: string;
    versionId?: string;
  }): Promise<MetadataRecord | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { [Table.partitionKey]: imageIdFor(upload) } }),
    );
    return (Item as MetadataRecord | undefined) ?? (await this.latestRecord(upload.key));
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
    return Items?.[0] as MetadataRecord | undefined;
  }

  async thumbnail(key: string): Promise<Buffer> {
    const response = await this.emulators.s3.send(new GetObjectCommand({ Bucket: this.thumbnailBucket, Key: key }));
    return Buffer.from(await response.Body!.transformToByteArray());
  }
}
