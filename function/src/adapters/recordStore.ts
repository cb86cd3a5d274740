/**
 * Reads and writes records (dynamodb:GetItem and PutItem only). A record is written last, after
 * the thumbnails, and only over a worse verdict: a SUCCEEDED record is never replaced; a FAILED
 * record with a final reason only by SUCCEEDED; a FAILED record with a moment reason by SUCCEEDED
 * or a final reason, never by another moment failure (see REASON_IS_FINAL). So duplicates and
 * retries converge on one record and count it once.
 */
import { GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Table } from "../../../contract/table";
import { transient, errorName } from "./awsErrors";
import { FailureReason, REASON_IS_FINAL, isFinalReason } from "../../../contract/failureReasons";
import { PermanentError } from "../core/errors";
import { attributeType, RecordStatus, toItem, type ImageRecord } from "../../../contract/record";

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
  if (record.Status === RecordStatus.Succeeded) {
    return {
      ConditionExpression: `${absent} OR #status <> :succeeded`,
      ExpressionAttributeNames: { "#id": Table.partitionKey, "#status": "Status" },
      ExpressionAttributeValues: { ":succeeded": { S: RecordStatus.Succeeded } },
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
