import * as assert from "assert";
import { Table } from "../../contract/table";
import { one, STACKS, stackRun } from "../helpers/program";

const TABLE = "aws-native:dynamodb:Table";

describe("Metadata table", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("is keyed by ImageID (string), on-demand, encrypted with KMS", async () => {
        const t = one(await stackRun(stack), TABLE);
        assert.deepStrictEqual(t.inputs.keySchema, [{ attributeName: "ImageID", keyType: "HASH" }]);
        assert.strictEqual(Table.partitionKey, "ImageID");
        assert.strictEqual(t.inputs.billingMode, "PAY_PER_REQUEST");
        assert.deepStrictEqual(t.inputs.sseSpecification, { sseEnabled: true, sseType: "KMS" });
        const types = Object.fromEntries(t.inputs.attributeDefinitions.map((a: any) => [a.attributeName, a.attributeType]));
        assert.strictEqual(types.ImageID, "S");
      });

      it("finds the records of a source object by its key, newest first (BySourceKey)", async () => {
        const t = one(await stackRun(stack), TABLE);
        const gsi = t.inputs.globalSecondaryIndexes.find((g: any) => g.indexName === Table.bySourceKey.indexName);
        assert.deepStrictEqual(gsi.keySchema, [
          { attributeName: Table.bySourceKey.partitionKey, keyType: "HASH" },
          { attributeName: Table.bySourceKey.sortKey, keyType: "RANGE" },
        ]);
        assert.strictEqual(gsi.projection.projectionType, "ALL");
      });

      it("keeps failures by time in a sparse index (FailuresByTime)", async () => {
        const t = one(await stackRun(stack), TABLE);
        const gsi = t.inputs.globalSecondaryIndexes.find((g: any) => g.indexName === Table.failuresByTime.indexName);
        assert.deepStrictEqual(gsi.keySchema, [
          { attributeName: Table.failuresByTime.partitionKey, keyType: "HASH" },
          { attributeName: Table.failuresByTime.sortKey, keyType: "RANGE" },
        ]);
        assert.strictEqual(t.inputs.globalSecondaryIndexes.length, 2);
      });

      it("defines exactly the attributes its keys use (DynamoDB rejects unused definitions)", async () => {
        const t = one(await stackRun(stack), TABLE);
        const used = new Set<string>([
          ...t.inputs.keySchema.map((k: any) => k.attributeName),
          ...t.inputs.globalSecondaryIndexes.flatMap((g: any) => g.keySchema.map((k: any) => k.attributeName)),
        ]);
        assert.deepStrictEqual(t.inputs.attributeDefinitions.map((a: any) => a.attributeName).sort(), [...used].sort());
      });
    });
  }

  describe("dev and prod", () => {
    it("turns on point-in-time recovery and deletion protection in prod only", async () => {
      const dev = one(await stackRun("dev"), TABLE);
      const prod = one(await stackRun("prod"), TABLE);
      assert.deepStrictEqual(prod.inputs.pointInTimeRecoverySpecification, { pointInTimeRecoveryEnabled: true });
      assert.strictEqual(prod.inputs.deletionProtectionEnabled, true);
      assert.deepStrictEqual(dev.inputs.pointInTimeRecoverySpecification, { pointInTimeRecoveryEnabled: false });
      assert.strictEqual(dev.inputs.deletionProtectionEnabled, false);
    });

    it("protects and retains the table in prod only", async () => {
      const prod = one(await stackRun("prod"), TABLE);
      const dev = one(await stackRun("dev"), TABLE);
      assert.strictEqual(prod.protect, true);
      assert.strictEqual(prod.retainOnDelete, true);
      assert.notStrictEqual(dev.protect, true);
      assert.notStrictEqual(dev.retainOnDelete, true);
    });
  });
});
