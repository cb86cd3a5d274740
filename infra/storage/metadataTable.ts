/**
 * The ImageMetadata table: one item per upload keyed by ImageID, a GSI to find the records of a
 * source object by its key (newest first), and a sparse GSI holding only failures by time. Keys
 * and index names come from the function's table contract.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws_native from "@pulumi/aws-native";
import { Table } from "../../contract/table";

export interface MetadataTableArgs {
  /** Physical name; create-only (changing it replaces the table and loses its items). */
  tableName: pulumi.Input<string>;
  pointInTimeRecovery?: boolean;
  /** DynamoDB deletion protection, plus Pulumi protect and retainOnDelete. */
  protectData?: boolean;
  tags: aws_native.types.input.TagArgs[];
}

/**
 * Every key attribute is a string: ImageID and SourceKey are text, and UploadTime and
 * ProcessedAt are ISO-8601 UTC timestamps, which sort correctly as strings.
 */
const KEY_ATTRIBUTES = [
  Table.partitionKey,
  Table.bySourceKey.partitionKey,
  Table.bySourceKey.sortKey,
  Table.failuresByTime.partitionKey,
  Table.failuresByTime.sortKey,
];

export class MetadataTable extends pulumi.ComponentResource {
  public readonly table: aws_native.dynamodb.Table;
  public readonly tableName: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: MetadataTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("thumbnails:storage:MetadataTable", name, {}, opts);
    const protectData = args.protectData ?? false;
    const pointInTimeRecovery = args.pointInTimeRecovery ?? false;

    this.table = new aws_native.dynamodb.Table(
      `${name}-table`,
      {
        tableName: args.tableName,
        // On-demand: ~1,000 writes a day cost cents, and 1,000,000 need no capacity planning.
        billingMode: "PAY_PER_REQUEST",
        attributeDefinitions: KEY_ATTRIBUTES.map((attributeName) => ({ attributeName, attributeType: "S" })),
        keySchema: [{ attributeName: Table.partitionKey, keyType: "HASH" }],
        globalSecondaryIndexes: [
          {
            indexName: Table.bySourceKey.indexName,
            keySchema: [
              { attributeName: Table.bySourceKey.partitionKey, keyType: "HASH" },
              { attributeName: Table.bySourceKey.sortKey, keyType: "RANGE" },
            ],
            // Records are small; projecting all saves a GetItem per result.
            projection: { projectionType: "ALL" },
          },
          {
            indexName: Table.failuresByTime.indexName,
            keySchema: [
              { attributeName: Table.failuresByTime.partitionKey, keyType: "HASH" },
              { attributeName: Table.failuresByTime.sortKey, keyType: "RANGE" },
            ],
            projection: { projectionType: "ALL" },
          },
        ],
        // KMS with the AWS-managed key: encryption at rest whose use CloudTrail records.
        sseSpecification: { sseEnabled: true, sseType: "KMS" },
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: pointInTimeRecovery },
        deletionProtectionEnabled: protectData,
        tags: args.tags,
      },
      { parent: this, ...(protectData ? { protect: true, retainOnDelete: true } : {}) },
    );

    this.tableName = this.table.tableName.apply((n) => n as string);
    this.arn = this.table.arn;
    this.registerOutputs({ tableName: this.tableName, arn: this.arn });
  }
}
