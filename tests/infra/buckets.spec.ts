import * as assert from "assert";
import { byUrn, ofType, one, runWith, STACKS, stackRun } from "../helpers/program";

const BUCKET = "aws-native:s3:Bucket";
const POLICY = "aws-native:s3:BucketPolicy";

describe("Buckets", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("block every kind of public access on every bucket", async () => {
        for (const b of ofType(await stackRun(stack), BUCKET)) {
          assert.deepStrictEqual(
            b.inputs.publicAccessBlockConfiguration,
            { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            b.name,
          );
        }
      });

      it("enforce bucket-owner ownership (ACLs disabled) on every bucket", async () => {
        for (const b of ofType(await stackRun(stack), BUCKET)) {
          assert.deepStrictEqual(b.inputs.ownershipControls, { rules: [{ objectOwnership: "BucketOwnerEnforced" }] }, b.name);
        }
      });

      it("encrypt every bucket with SSE-S3 and a bucket key", async () => {
        for (const b of ofType(await stackRun(stack), BUCKET)) {
          assert.deepStrictEqual(
            b.inputs.bucketEncryption,
            { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }] },
            b.name,
          );
        }
      });

      it("deny requests without TLS on every bucket and its objects", async () => {
        const run = await stackRun(stack);
        const buckets = ofType(run, BUCKET);
        const policies = ofType(run, POLICY);
        assert.strictEqual(policies.length, buckets.length);
        for (const b of buckets) {
          const policy = policies.find((p) => p.inputs.bucket === b.state.bucketName);
          assert.ok(policy, `${b.name} has a bucket policy`);
          const arn = b.state.arn;
          const deny = policy.inputs.policyDocument.Statement.find(
            (s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false",
          );
          assert.ok(deny, `${b.name}: a Deny on aws:SecureTransport=false`);
          assert.strictEqual(deny.Principal, "*");
          assert.strictEqual(deny.Action, "s3:*");
          assert.deepStrictEqual([...deny.Resource].sort(), [arn, `${arn}/*`].sort());
          assert.ok(policy.dependencies.includes(b.urn), "the policy waits for its bucket");
        }
      });

      it("abort incomplete multipart uploads in every bucket", async () => {
        for (const b of ofType(await stackRun(stack), BUCKET)) {
          const rule = b.inputs.lifecycleConfiguration.rules.find((r: any) => r.abortIncompleteMultipartUpload);
          assert.ok(rule && rule.status === "Enabled", b.name);
          assert.ok(rule.abortIncompleteMultipartUpload.daysAfterInitiation <= 7, b.name);
        }
      });

      it("expire noncurrent versions in every versioned bucket", async () => {
        for (const b of ofType(await stackRun(stack), BUCKET)) {
          const rule = b.inputs.lifecycleConfiguration.rules.find((r: any) => r.noncurrentVersionExpiration);
          if (b.inputs.versioningConfiguration?.status === "Enabled") {
            assert.ok(rule && rule.status === "Enabled" && rule.noncurrentVersionExpiration.noncurrentDays > 0, b.name);
          } else {
            assert.strictEqual(rule, undefined, `${b.name} is not versioned`);
          }
        }
      });

      it("version the artifact bucket (the function deploys a specific object version)", async () => {
        const artifacts = one(await stackRun(stack), BUCKET, "artifacts");
        assert.deepStrictEqual(artifacts.inputs.versioningConfiguration, { status: "Enabled" });
      });

      it("derive valid, unique bucket names from project, stack, account and region", async () => {
        const run = await stackRun(stack);
        const names = ofType(run, BUCKET).map((b) => b.inputs.bucketName as string);
        assert.strictEqual(new Set(names).size, 3);
        for (const n of names) {
          assert.match(
            n,
            new RegExp(`^thumbnail-pipeline-${stack}-(source|thumbnails|artifacts)-123456789012-${run.config["aws-native:region"]}$`),
          );
          assert.ok(n.length <= 63);
        }
      });
    });
  }

  describe("dev and prod", () => {
    it("version the source bucket in prod only", async () => {
      const source = async (s: "dev" | "prod") => one(await stackRun(s), BUCKET, "source").inputs.versioningConfiguration;
      assert.strictEqual(await source("dev"), undefined);
      assert.deepStrictEqual(await source("prod"), { status: "Enabled" });
    });

    it("move prod's originals to a cheaper storage class; dev has no transition", async () => {
      const transitionRule = async (s: "dev" | "prod") =>
        one(await stackRun(s), BUCKET, "source").inputs.lifecycleConfiguration.rules.find((r: any) => r.transitions);
      assert.strictEqual(await transitionRule("dev"), undefined);
      assert.deepStrictEqual((await transitionRule("prod")).transitions, [{ storageClass: "INTELLIGENT_TIERING", transitionInDays: 30 }]);
    });

    it("protect and retain the source and thumbnail buckets in prod only; artifacts never", async () => {
      const prod = await stackRun("prod");
      const dev = await stackRun("dev");
      for (const purpose of ["source", "thumbnails"]) {
        const p = one(prod, BUCKET, purpose);
        assert.strictEqual(p.protect, true, `prod ${purpose} protect`);
        assert.strictEqual(p.retainOnDelete, true, `prod ${purpose} retainOnDelete`);
        const d = one(dev, BUCKET, purpose);
        assert.notStrictEqual(d.protect, true, `dev ${purpose} protect`);
        assert.notStrictEqual(d.retainOnDelete, true, `dev ${purpose} retainOnDelete`);
      }
      assert.notStrictEqual(one(prod, BUCKET, "artifacts").protect, true);
    });
  });

  it("use the configured bucket names when set", async () => {
    const run = await runWith({ stack: "dev", config: { sourceBucketName: "acme-uploads-dev", thumbnailBucketName: "acme-thumbs-dev" } });
    assert.strictEqual(one(run, BUCKET, "source").inputs.bucketName, "acme-uploads-dev");
    assert.strictEqual(one(run, BUCKET, "thumbnails").inputs.bucketName, "acme-thumbs-dev");
    assert.strictEqual(run.outputs.sourceBucketName, "acme-uploads-dev");
    const policy = ofType(run, POLICY).find((p) => p.inputs.bucket === "acme-uploads-dev");
    assert.ok(policy && byUrn(run, policy.parent as string).name.endsWith("source"));
  });
});
