/**
 * Creates, on the local emulators, the resources the function touches, with the names and
 * keys the stack gives them.
 */
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { CreateTableCommand, type CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { Table } from "../contract/table";
import type { Emulators } from "./emulators";
import type { LocalStack } from "./stack";

/** The ImageMetadata table as the contract defines it (every key attribute is a string). */
export function metadataTableDefinition(tableName: string): CreateTableCommandInput {
  const indexes = [Table.bySourceKey, Table.failuresByTime];
  const attributes = new Set<string>([Table.partitionKey]);
  for (const index of indexes) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: "S" })),
    KeySchema: [{ AttributeName: Table.partitionKey, KeyType: "HASH" }],
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: "HASH" },
        { AttributeName: index.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    })),
  };
}

export async function provision(emulators: Emulators, stack: LocalStack): Promise<void> {
  await emulators.s3.send(new CreateBucketCommand({ Bucket: stack.sourceBucketName }));
  await emulators.s3.send(new CreateBucketCommand({ Bucket: stack.thumbnailBucketName }));
  await emulators.dynamo.send(new CreateTableCommand(metadataTableDefinition(stack.tableName)));
}
