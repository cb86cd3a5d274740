/** The ImageMetadata table as the stack declares its keys, created in dynalite from the contract. */
import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Table } from "../../../function/src/contract/table";

export async function createMetadataTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  const indexes = [Table.bySourceKey, Table.failuresByTime];
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [Table.partitionKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])].map((AttributeName) => ({
        AttributeName,
        AttributeType: "S",
      })),
      KeySchema: [{ AttributeName: Table.partitionKey, KeyType: "HASH" }],
      GlobalSecondaryIndexes: indexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: "HASH" },
          { AttributeName: index.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      })),
    }),
  );
}
