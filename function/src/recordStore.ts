/**
 * Reads and writes records (dynamodb:GetItem and PutItem only). A record is written last, after
 * the thumbnails, and never replaces a SUCCEEDED record: duplicates and retries converge on
 * one record, and a FAILED record may be replaced when the upload is processed again.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Table } from "./contract/table";
import { transient, errorName } from "./awsErrors";
import { fromItem, RecordStatus, toItem, type ImageRecord } from "./record";

export async function getRecord(dynamo: DynamoDBClient, table: string, imageId: string): Promise<ImageRecord | undefined> {
  try {
    const response = await dynamo.send(
      new GetItemCommand({ TableName: table, Key: { [Table.partitionKey]: { S: imageId } }, ConsistentRead: true }),
    );
    return response.Item ? fromItem(response.Item) : undefined;
  } catch (err) {
    throw transient(`dynamodb:GetItem ${table} ${imageId}`, err);
  }
}

/** Returns false when a SUCCEEDED record already exists (another delivery of the same event won). */
export async function putRecord(dynamo: DynamoDBClient, table: string, record: ImageRecord): Promise<boolean> {
  try {
    await dynamo.send(
      new PutItemCommand({
        TableName: table,
        Item: toItem(record),
        ConditionExpression: "attribute_not_exists(#id) OR #status <> :succeeded",
        ExpressionAttributeNames: { "#id": Table.partitionKey, "#status": "Status" },
        ExpressionAttributeValues: { ":succeeded": { S: RecordStatus.Succeeded } },
      }),
    );
    return true;
  } catch (err) {
    if (errorName(err) === "ConditionalCheckFailedException") return false;
    throw transient(`dynamodb:PutItem ${table} ${record.ImageID}`, err);
  }
}
