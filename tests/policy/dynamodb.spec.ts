import * as assert from "assert";
import { checkTableEncryption, checkTableProductionProtection, TABLE } from "../../policy/dynamodb";
import { UNKNOWN } from "../../policy/values";
import { goodTable, withChange } from "./fixtures";

type Any = Record<string, any>;

describe("policy: DynamoDB tables", () => {
  describe("encryption", () => {
    it("accepts sseEnabled", () => {
      assert.deepStrictEqual(checkTableEncryption(TABLE, goodTable()), []);
    });
    it("rejects a table without sseSpecification or with it off", () => {
      assert.match(
        checkTableEncryption(
          TABLE,
          withChange(goodTable() as Any, (t) => delete t.sseSpecification),
        ).join(),
        /sseEnabled is null/,
      );
      assert.match(
        checkTableEncryption(
          TABLE,
          withChange(goodTable() as Any, (t) => (t.sseSpecification.sseEnabled = false)),
        ).join(),
        /sseEnabled is false/,
      );
    });
  });

  describe("production protection", () => {
    it("requires nothing more of a dev table", () => {
      assert.deepStrictEqual(checkTableProductionProtection(TABLE, goodTable("dev")), []);
    });
    it("accepts a prod table with PITR and deletion protection", () => {
      assert.deepStrictEqual(checkTableProductionProtection(TABLE, goodTable("prod")), []);
    });
    it("rejects a prod table without PITR or without deletion protection, naming each", () => {
      const bare = withChange(goodTable("prod") as Any, (t) => {
        t.pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled = false;
        delete t.deletionProtectionEnabled;
      });
      const violations = checkTableProductionProtection(TABLE, bare);
      assert.strictEqual(violations.length, 2);
      assert.match(violations[0], /a prod table: pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled is false/);
      assert.match(violations[1], /deletionProtectionEnabled is null/);
    });
    it("treats a table without an Environment tag as production", () => {
      const untagged = withChange(goodTable("dev") as Any, (t) => delete t.tags);
      assert.match(checkTableProductionProtection(TABLE, untagged).join(), /without a known Environment tag \(treated as production\)/);
    });
    it("takes the production environments from the pack's config", () => {
      assert.strictEqual(checkTableProductionProtection(TABLE, goodTable("staging"), ["prod", "staging"]).length, 2);
      assert.deepStrictEqual(checkTableProductionProtection(TABLE, goodTable("staging")), []);
    });
    it("waits for `pulumi up` when the Environment tag is unknown", () => {
      const tags = [{ key: "Environment", value: UNKNOWN }];
      assert.deepStrictEqual(checkTableProductionProtection(TABLE, { ...goodTable("dev"), tags }), []);
    });
  });
});
