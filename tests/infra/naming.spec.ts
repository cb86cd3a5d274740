import * as assert from "assert";
import { bucketNameProblem, deriveBucketName, physicalName } from "../../infra/naming";

describe("Naming", () => {
  it("names resources <project>-<environment>-<purpose>", () => {
    assert.strictEqual(physicalName("thumbnail-pipeline", "prod", "thumbnailer"), "thumbnail-pipeline-prod-thumbnailer");
    assert.strictEqual(physicalName("My_Project", "dev", "x"), "my-project-dev-x");
  });

  describe("deriveBucketName", () => {
    const parts = { project: "thumbnail-pipeline", stack: "prod", purpose: "source", accountId: "123456789012", region: "ap-southeast-2" };

    it("derives <project>-<stack>-<purpose>-<account>-<region>", () => {
      assert.strictEqual(deriveBucketName(parts), "thumbnail-pipeline-prod-source-123456789012-ap-southeast-2");
    });

    it("is deterministic", () => {
      assert.strictEqual(deriveBucketName(parts), deriveBucketName({ ...parts }));
    });

    it("stays a valid bucket name for long or odd project and stack names", () => {
      for (const project of ["thumbnail-pipeline", "A_Very_Long_Project_Name_For.The.Media.Company", "x"]) {
        for (const stack of ["dev", "feature-branch-with-a-really-long-name-1234", "Stack.With.Dots"]) {
          const name = deriveBucketName({ ...parts, project, stack, purpose: "thumbnails" });
          assert.strictEqual(bucketNameProblem(name), undefined, `${name}: ${bucketNameProblem(name)}`);
          assert.ok(name.endsWith("-thumbnails-123456789012-ap-southeast-2"), name);
        }
      }
    });

    it("keeps shortened names unique per stack", () => {
      const long = "feature-branch-with-a-really-long-name-";
      const a = deriveBucketName({ ...parts, stack: `${long}1` });
      const b = deriveBucketName({ ...parts, stack: `${long}2` });
      assert.notStrictEqual(a, b);
      assert.ok(a.length <= 63 && b.length <= 63);
    });

    it("leaves account and region untouched, so templates may pass placeholders", () => {
      const name = deriveBucketName({ ...parts, accountId: "${AWS::AccountId}", region: "${AWS::Region}" });
      assert.ok(name.endsWith("-source-${AWS::AccountId}-${AWS::Region}"), name);
    });
  });

  describe("bucketNameProblem", () => {
    it("accepts valid names", () => {
      for (const n of ["abc", "my-bucket-1", "a".repeat(63)]) assert.strictEqual(bucketNameProblem(n), undefined, n);
    });
    it("names the rule a bad name breaks", () => {
      assert.match(bucketNameProblem("a".repeat(64))!, /3–63/);
      assert.match(bucketNameProblem("UPPER")!, /lower-case/);
      assert.match(bucketNameProblem("xn--bucket")!, /xn--/);
      assert.match(bucketNameProblem("bucket-s3alias")!, /-s3alias/);
      assert.match(bucketNameProblem("end-")!, /begin and end/);
    });
  });
});
