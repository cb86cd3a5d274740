import * as assert from "assert";
import { checkRequiredTags, readTags, REQUIRED_TAGS, tagShapeOf } from "../../policy/tags";
import { UNKNOWN } from "../../policy/values";
import { TAGS } from "./fixtures";

describe("policy: required tags", () => {
  it("requires Project, Environment and ManagedBy", () => {
    assert.deepStrictEqual([...REQUIRED_TAGS], ["Project", "Environment", "ManagedBy"]);
  });

  it("accepts tags as an array of {key, value} (most aws-native types)", () => {
    assert.strictEqual(tagShapeOf("aws-native:s3:Bucket"), "keyValueArray");
    assert.deepStrictEqual(checkRequiredTags("aws-native:s3:Bucket", { tags: [...TAGS, { key: "CostCenter", value: "media" }] }), []);
  });

  it("accepts tags as a map (types such as aws-native:ssm:Parameter)", () => {
    assert.strictEqual(tagShapeOf("aws-native:ssm:Parameter"), "stringMap");
    assert.deepStrictEqual(
      checkRequiredTags("aws-native:ssm:Parameter", { tags: { Project: "p", Environment: "dev", ManagedBy: "pulumi" } }),
      [],
    );
  });

  it("names each missing tag and the shape the type takes", () => {
    const violations = checkRequiredTags("aws-native:lambda:Function", { tags: [{ key: "Project", value: "p" }] });
    assert.deepStrictEqual(violations, [
      'aws-native:lambda:Function is missing the required tag "Environment" (tags as an array of {key, value}).',
      'aws-native:lambda:Function is missing the required tag "ManagedBy" (tags as an array of {key, value}).',
    ]);
    assert.match(checkRequiredTags("aws-native:ssm:Parameter", { tags: { Project: "p" } }).join(), /as a map of key to value/);
  });

  it("catches a taggable resource with no tags at all", () => {
    assert.match(
      checkRequiredTags("aws-native:dynamodb:Table", { tableName: "t" }).join(),
      /has no tags; it must carry Project, Environment, ManagedBy/,
    );
  });

  it("rejects an empty value", () => {
    const tags = TAGS.map((t) => (t.key === "Environment" ? { key: "Environment", value: " " } : t));
    assert.match(checkRequiredTags("aws-native:sqs:Queue", { tags }).join(), /empty value for the required tag "Environment"/);
  });

  it("leaves types that take no tags alone", () => {
    assert.strictEqual(tagShapeOf("aws-native:s3:BucketPolicy"), undefined);
    assert.deepStrictEqual(checkRequiredTags("aws-native:s3:BucketPolicy", { bucket: "b" }), []);
    assert.deepStrictEqual(checkRequiredTags("aws-native:lambda:Permission", {}), []);
  });

  it("checks other providers' resources only when they carry tags", () => {
    assert.deepStrictEqual(checkRequiredTags("aws:s3/bucketObjectv2:BucketObjectv2", { key: "k" }), []);
    assert.strictEqual(checkRequiredTags("aws:s3/bucketObjectv2:BucketObjectv2", { tags: { Project: "p" } }).length, 2);
  });

  it("does not call tags missing while they are unknown (preview)", () => {
    assert.deepStrictEqual(checkRequiredTags("aws-native:s3:Bucket", { tags: UNKNOWN }), []);
    assert.deepStrictEqual(
      checkRequiredTags("aws-native:s3:Bucket", {
        tags: [
          { key: UNKNOWN, value: "x" },
          { key: "Project", value: UNKNOWN },
        ],
      }),
      [],
    );
    const tags = readTags([{ key: "Project", value: UNKNOWN }]);
    assert.ok(tags instanceof Map && tags.has("Project") && tags.get("Project") === undefined);
  });
});
