/**
 * Reads and writes records (dynamodb:GetItem, PutItem, UpdateItem; Query on BySourceKey). A
 * record is written last, after
 * the thumbnails, and only over a worse verdict: a SUCCEEDED record is never replaced; a FAILED
 * record with a final reason only by SUCCEEDED; a FAILED record with a moment reason by SUCCEEDED
 * or a final reason, never by another moment failure (see REASON_IS_FINAL). So duplicates and
 * retries converge on one record and count it once.
 */
import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { Table } from "../../../contract/table";
import { transient, errorName } from "./awsErrors";
import { FailureReason, REASON_IS_FINAL, isFinalReason } from "../../../contract/failureReasons";
import { PermanentError } from "../core/errors";
import { attributeType, fromItem, RecordStatus, toItem, type ImageRecord } from "../../../contract/record";

/** What the function decides by; the rest of a record is for people and is never read back. */
export interface RecordState {
  Status: RecordStatus;
  Reason?: string;
  AttemptId?: string;
}

const STATE_ATTRIBUTES = ["Status", "Reason", "AttemptId"] as const satisfies readonly (keyof ImageRecord)[];

/**
 * The upload's record state, read consistently, or undefined when there is none. Throws a
 * PermanentError(RecordUnreadable) naming the ImageID, attribute and type when one of the state
 * attributes is not what the function writes (edited by hand): retrying would read it again.
 */
export async function getRecordState(dynamo: DynamoDBClient, table: string, imageId: string): Promise<RecordState | undefined> {
  let item: Record<string, AttributeValue> | undefined;
  try {
    const response = await dynamo.send(
      new GetItemCommand({
        TableName: table,
        Key: { [Table.partitionKey]: { S: imageId } },
        ConsistentRead: true,
        // Only what decides; other attributes an operator added or edited cannot get in the way.
        ProjectionExpression: STATE_ATTRIBUTES.map((_, i) => `#a${i}`).join(", "),
        ExpressionAttributeNames: Object.fromEntries(STATE_ATTRIBUTES.map((name, i) => [`#a${i}`, name])),
      }),
    );
    item = response.Item;
  } catch (err) {
    throw transient(`dynamodb:GetItem ${table} ${imageId}`, err);
  }
  if (!item) return undefined;
  return stateOf(item, table, imageId);
}

function stateOf(item: Record<string, AttributeValue>, table: string, imageId: string): RecordState {
  const unreadable = (attribute: string, found: string, rule: string) =>
    new PermanentError(
      FailureReason.RecordUnreadable,
      `the record ${Table.partitionKey}=${imageId} in table ${table} has ${attribute} ${found}; the function reads ${attribute} as ${rule}. Fix or delete the record, then process the upload again`,
    );
  const status = item.Status;
  const statuses = Object.values(RecordStatus) as string[];
  if (status?.S === undefined)
    throw unreadable("Status", status ? `of DynamoDB type ${attributeType(status)}` : "missing", `type S, one of ${statuses.join(", ")}`);
  if (!statuses.includes(status.S)) throw unreadable("Status", `= ${JSON.stringify(status.S)}`, `one of ${statuses.join(", ")}`);
  const state: RecordState = { Status: status.S as RecordStatus };
  for (const name of ["Reason", "AttemptId"] as const) {
    const value = item[name];
    if (value === undefined) continue;
    if (value.S === undefined) throw unreadable(name, `of DynamoDB type ${attributeType(value)}`, "type S");
    state[name] = value.S;
  }
  return state;
}

const OPEN_REASONS = (Object.keys(REASON_IS_FINAL) as FailureReason[]).filter((r) => !REASON_IS_FINAL[r]);

/** The condition under which `record` may be written: over no record, or over a worse verdict. */
function writeCondition(
  record: ImageRecord,
): Pick<PutItemCommand["input"], "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"> {
  const absent = "attribute_not_exists(#id)";
  if (record.Status !== RecordStatus.Failed) {
    // SUCCEEDED, or DELETED / REPLACED written at once for an upload superseded before it was
    // processed: over a FAILED record only. Never over a later state (a retry of an upload
    // since deleted or replaced must not bring it back).
    return {
      ConditionExpression: `${absent} OR #status = :failed`,
      ExpressionAttributeNames: { "#id": Table.partitionKey, "#status": "Status" },
      ExpressionAttributeValues: { ":failed": { S: RecordStatus.Failed } },
    };
  }
  if (record.Reason && isFinalReason(record.Reason)) {
    const open = OPEN_REASONS.map((_, i) => `:open${i}`);
    return {
      ConditionExpression: `${absent} OR (#status = :failed AND #reason IN (${open.join(", ")}))`,
      ExpressionAttributeNames: { "#id": Table.partitionKey, "#status": "Status", "#reason": "Reason" },
      ExpressionAttributeValues: {
        ":failed": { S: RecordStatus.Failed },
        ...Object.fromEntries(OPEN_REASONS.map((reason, i) => [open[i], { S: reason }])),
      },
    };
  }
  return { ConditionExpression: absent, ExpressionAttributeNames: { "#id": Table.partitionKey } };
}

/**
 * Writes `record` (which carries this attempt's AttemptId) unless a record with an equal or
 * better verdict is there. Returns true when the table holds this attempt's record: written
 * now, or written by the SDK's first try whose response was lost (its retry then fails the
 * condition against our own record, recognised by AttemptId). False: another delivery's record.
 */
export async function putRecord(dynamo: DynamoDBClient, table: string, record: ImageRecord): Promise<boolean> {
  try {
    await dynamo.send(new PutItemCommand({ TableName: table, Item: toItem(record), ...writeCondition(record) }));
    return true;
  } catch (err) {
    if (errorName(err) !== "ConditionalCheckFailedException") throw transient(`dynamodb:PutItem ${table} ${record.ImageID}`, err);
  }
  // Rare (a racing duplicate, or a lost response). A consistent read rather than
  // ReturnValuesOnConditionCheckFailure: dynalite does not implement that, and one code path
  // that the local tests exercise is worth one read on a rare path.
  const existing = await getRecordState(dynamo, table, record.ImageID);
  return existing !== undefined && record.AttemptId !== undefined && existing.AttemptId === record.AttemptId;
}

/** The whole record, read consistently (what retiring an upload needs: its status and thumbnail keys). */
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

/**
 * Every record of one source key (dynamodb:Query on BySourceKey). The index is eventually
 * consistent: it finds the key's older uploads, settled long ago; the key's state item, read
 * consistently, is what covers the uploads of the last moments (sourceKeyStateStore).
 */
export async function recordsOfKey(dynamo: DynamoDBClient, table: string, key: string): Promise<ImageRecord[]> {
  const records: ImageRecord[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    let response;
    try {
      response = await dynamo.send(
        new QueryCommand({
          TableName: table,
          IndexName: Table.bySourceKey.indexName,
          KeyConditionExpression: "#key = :key",
          ExpressionAttributeNames: { "#key": Table.bySourceKey.partitionKey },
          ExpressionAttributeValues: { ":key": { S: key } },
          ExclusiveStartKey: start,
        }),
      );
    } catch (err) {
      throw transient(`dynamodb:Query ${table}/${Table.bySourceKey.indexName} ${key}`, err);
    }
    records.push(...(response.Items ?? []).map(fromItem));
    start = response.LastEvaluatedKey;
  } while (start);
  return records;
}

/**
 * Moves a record from `from` to DELETED or REPLACED with `changes`, if it is still `from`.
 * False when it is not (another delivery or event moved it first): nothing is written then.
 */
export async function transitionRecord(
  dynamo: DynamoDBClient,
  table: string,
  imageId: string,
  from: RecordStatus,
  changes: Partial<ImageRecord> & { Status: typeof RecordStatus.Deleted | typeof RecordStatus.Replaced },
): Promise<boolean> {
  const names: Record<string, string> = { "#status": "Status" };
  const values: Record<string, AttributeValue> = { ":from": { S: from } };
  const sets = Object.entries(toItem(changes as ImageRecord)).map(([name, value], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = value;
    return `#c${i} = :c${i}`;
  });
  try {
    await dynamo.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { [Table.partitionKey]: { S: imageId } },
        UpdateExpression: `SET ${sets.join(", ")}`,
        ConditionExpression: "#status = :from",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (err) {
    if (errorName(err) === "ConditionalCheckFailedException") return false;
    throw transient(`dynamodb:UpdateItem ${table} ${imageId}`, err);
  }
}
