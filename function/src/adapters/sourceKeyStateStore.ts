/**
 * The per-key state item (contract/sourceKeyState.ts): dynamodb:GetItem and UpdateItem on the
 * table. Every change is one conditional UpdateItem, so two events of one key handled at the
 * same time (a delete racing a late create, two uploads racing each other) are ordered by
 * DynamoDB and by their sequencers, never by which invocation happened to finish first.
 */
import { GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Table } from "../../../contract/table";
import { sequencerOrder } from "../../../contract/sequencer";
import { currentImageIdOf, SOURCE_KEY_STATE_ITEM_TYPE, sourceKeyStateId, type SourceKeyState } from "../../../contract/sourceKeyState";
import { errorName, transient } from "./awsErrors";

/** What a key's state says of one upload of it. */
export type Standing =
  { kind: "current"; previousImageId?: string } | { kind: "deleted"; deleteSequencer: string } | { kind: "replaced"; by: string };

export interface KeyEventIdentity {
  bucket: string;
  key: string;
  sequencer: string;
  versionId?: string;
}

const str = (item: Record<string, AttributeValue> | undefined, name: string) => item?.[name]?.S;

function stateOf(item: Record<string, AttributeValue> | undefined): Partial<SourceKeyState> {
  if (!item) return {};
  return {
    CurrentImageID: str(item, "CurrentImageID"),
    CurrentOrder: str(item, "CurrentOrder"),
    CurrentVersionId: str(item, "CurrentVersionId"),
    DeletedOrder: str(item, "DeletedOrder"),
    DeletedSequencer: str(item, "DeletedSequencer"),
    DeletedVersions: item.DeletedVersions?.SS,
  };
}

type NotCurrent = Exclude<Standing, { kind: "current" }>;

/** Why the state does not let an upload of the key be current, if it does not. */
function standingAgainst(state: Partial<SourceKeyState>, order: string, imageId: string, versionId?: string): NotCurrent | undefined {
  if (state.DeletedOrder && state.DeletedOrder > order)
    return { kind: "deleted", deleteSequencer: state.DeletedSequencer ?? state.DeletedOrder };
  if (versionId && state.DeletedVersions?.includes(versionId)) return { kind: "deleted", deleteSequencer: "" };
  if (state.CurrentImageID && state.CurrentImageID !== imageId && state.CurrentOrder && state.CurrentOrder > order) {
    return { kind: "replaced", by: state.CurrentImageID };
  }
  return undefined;
}

async function readState(dynamo: DynamoDBClient, table: string, bucket: string, key: string): Promise<Partial<SourceKeyState>> {
  const id = sourceKeyStateId(bucket, key);
  try {
    const response = await dynamo.send(
      new GetItemCommand({ TableName: table, Key: { [Table.partitionKey]: { S: id } }, ConsistentRead: true }),
    );
    return stateOf(response.Item);
  } catch (err) {
    throw transient(`dynamodb:GetItem ${table} ${id}`, err);
  }
}

/**
 * Whether an upload whose processing has not started is already superseded: a delete or a
 * newer SUCCEEDED upload of the key came first (a late event). Then it is not worth decoding.
 */
export async function supersededBeforehand(
  dynamo: DynamoDBClient,
  table: string,
  upload: KeyEventIdentity,
  imageId: string,
): Promise<NotCurrent | undefined> {
  const state = await readState(dynamo, table, upload.bucket, upload.key);
  return standingAgainst(state, sequencerOrder(upload.sequencer), imageId, upload.versionId);
}

/** SET clauses every write of the state item carries (the item may not exist yet). */
function identity(bucket: string, key: string, now: string) {
  return {
    set: "ItemType = :itemType, ObjectBucket = :bucket, ObjectKey = :objectKey, UpdatedAt = :now",
    values: { ":itemType": { S: SOURCE_KEY_STATE_ITEM_TYPE }, ":bucket": { S: bucket }, ":objectKey": { S: key }, ":now": { S: now } },
  };
}

/**
 * Makes a SUCCEEDED upload the key's current one, unless a later delete or a newer upload
 * already stands: returns "current" (with the upload it displaced, whose thumbnails are now
 * the caller's to retire) or why it is not. Idempotent: claiming again returns "current".
 */
export async function claimCurrent(
  dynamo: DynamoDBClient,
  table: string,
  upload: KeyEventIdentity,
  imageId: string,
  now: Date,
): Promise<Standing> {
  const order = sequencerOrder(upload.sequencer);
  const id = sourceKeyStateId(upload.bucket, upload.key);
  const base = identity(upload.bucket, upload.key, now.toISOString());
  const conditions = [
    "(attribute_not_exists(CurrentOrder) OR CurrentOrder < :order OR CurrentImageID = :imageId)",
    "(attribute_not_exists(DeletedOrder) OR DeletedOrder < :order)",
    ...(upload.versionId ? ["NOT contains(DeletedVersions, :versionId)"] : []),
  ];
  try {
    const response = await dynamo.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { [Table.partitionKey]: { S: id } },
        UpdateExpression: `SET ${base.set}, CurrentImageID = :imageId, CurrentOrder = :order${upload.versionId ? ", CurrentVersionId = :versionId" : ""}${upload.versionId ? "" : " REMOVE CurrentVersionId"}`,
        ConditionExpression: conditions.join(" AND "),
        ExpressionAttributeValues: {
          ...base.values,
          ":imageId": { S: imageId },
          ":order": { S: order },
          ...(upload.versionId ? { ":versionId": { S: upload.versionId } } : {}),
        },
        ReturnValues: "ALL_OLD",
      }),
    );
    const previous = currentImageIdOf(stateOf(response.Attributes));
    return { kind: "current", ...(previous && previous !== imageId ? { previousImageId: previous } : {}) };
  } catch (err) {
    if (errorName(err) !== "ConditionalCheckFailedException") throw transient(`dynamodb:UpdateItem ${table} ${id}`, err);
  }
  const state = await readState(dynamo, table, upload.bucket, upload.key);
  const standing = standingAgainst(state, order, imageId, upload.versionId);
  // The condition failed, so one of the three holds; a state that changed again since is read as it is now.
  return standing ?? { kind: "current" };
}

/** The key's state after recording a delete (or delete marker) of it: the later of this one and any seen before. */
export async function recordKeyDeleted(
  dynamo: DynamoDBClient,
  table: string,
  removal: KeyEventIdentity,
  now: Date,
): Promise<Partial<SourceKeyState>> {
  const order = sequencerOrder(removal.sequencer);
  const id = sourceKeyStateId(removal.bucket, removal.key);
  const base = identity(removal.bucket, removal.key, now.toISOString());
  try {
    const response = await dynamo.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { [Table.partitionKey]: { S: id } },
        UpdateExpression: `SET ${base.set}, DeletedOrder = :order, DeletedSequencer = :sequencer`,
        ConditionExpression: "attribute_not_exists(DeletedOrder) OR DeletedOrder < :order",
        ExpressionAttributeValues: { ...base.values, ":order": { S: order }, ":sequencer": { S: removal.sequencer } },
        ReturnValues: "ALL_NEW",
      }),
    );
    return stateOf(response.Attributes);
  } catch (err) {
    if (errorName(err) !== "ConditionalCheckFailedException") throw transient(`dynamodb:UpdateItem ${table} ${id}`, err);
  }
  // This delete, or a later one, was recorded before (a duplicate or a late delivery).
  return readState(dynamo, table, removal.bucket, removal.key);
}

/** The key's state after recording that one version was deleted for good. */
export async function recordVersionDeleted(
  dynamo: DynamoDBClient,
  table: string,
  removal: KeyEventIdentity & { versionId: string },
  now: Date,
): Promise<Partial<SourceKeyState>> {
  const id = sourceKeyStateId(removal.bucket, removal.key);
  const base = identity(removal.bucket, removal.key, now.toISOString());
  try {
    const response = await dynamo.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { [Table.partitionKey]: { S: id } },
        UpdateExpression: `SET ${base.set} ADD DeletedVersions :versions`,
        ExpressionAttributeValues: { ...base.values, ":versions": { SS: [removal.versionId] } },
        ReturnValues: "ALL_NEW",
      }),
    );
    return stateOf(response.Attributes);
  } catch (err) {
    throw transient(`dynamodb:UpdateItem ${table} ${id}`, err);
  }
}

/** Clears the key's current upload if it still is `imageId` (its version was deleted). */
export async function clearCurrent(dynamo: DynamoDBClient, table: string, bucket: string, key: string, imageId: string, now: Date) {
  const id = sourceKeyStateId(bucket, key);
  try {
    await dynamo.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { [Table.partitionKey]: { S: id } },
        UpdateExpression: "SET UpdatedAt = :now REMOVE CurrentImageID, CurrentOrder, CurrentVersionId",
        ConditionExpression: "CurrentImageID = :imageId",
        ExpressionAttributeValues: { ":now": { S: now.toISOString() }, ":imageId": { S: imageId } },
      }),
    );
  } catch (err) {
    if (errorName(err) !== "ConditionalCheckFailedException") throw transient(`dynamodb:UpdateItem ${table} ${id}`, err);
  }
}
