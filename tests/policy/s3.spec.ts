import * as assert from "assert";
import {
  BUCKET,
  BUCKET_POLICY,
  checkBucketAclsDisabled,
  checkBucketEncryption,
  checkBucketPublicAccessBlock,
  checkBucketsDenyInsecureTransport,
} from "../../policy/s3";
import { StackResource } from "../../policy/stackResource";
import { UNKNOWN } from "../../policy/values";
import { goodBucket, lowerCamelKeys, tlsOnlyPolicyDocument, withChange } from "./fixtures";

type Any = Record<string, any>;

describe("policy: S3 buckets", () => {
  describe("public access block", () => {
    it("accepts a bucket with all four blocks on", () => {
      assert.deepStrictEqual(checkBucketPublicAccessBlock(BUCKET, goodBucket()), []);
    });
    it("names each block that is off", () => {
      const props = withChange(goodBucket() as Any, (b) => {
        b.publicAccessBlockConfiguration.blockPublicPolicy = false;
        delete b.publicAccessBlockConfiguration.restrictPublicBuckets;
      });
      const violations = checkBucketPublicAccessBlock(BUCKET, props);
      assert.strictEqual(violations.length, 2);
      assert.match(violations[0], /blockPublicPolicy is false/);
      assert.match(violations[1], /restrictPublicBuckets is null/);
    });
    it("rejects a bucket without a public-access block", () => {
      const props = withChange(goodBucket() as Any, (b) => delete b.publicAccessBlockConfiguration);
      assert.match(checkBucketPublicAccessBlock(BUCKET, props).join(), /no publicAccessBlockConfiguration/);
    });
    it("ignores other resource types", () => {
      assert.deepStrictEqual(checkBucketPublicAccessBlock("aws-native:sqs:Queue", {}), []);
    });
  });

  describe("encryption", () => {
    it("accepts SSE-S3 and SSE-KMS defaults", () => {
      assert.deepStrictEqual(checkBucketEncryption(BUCKET, goodBucket()), []);
      const kms = withChange(
        goodBucket() as Any,
        (b) => (b.bucketEncryption.serverSideEncryptionConfiguration[0].serverSideEncryptionByDefault.sseAlgorithm = "aws:kms"),
      );
      assert.deepStrictEqual(checkBucketEncryption(BUCKET, kms), []);
    });
    it("rejects a bucket without default encryption", () => {
      const props = withChange(goodBucket() as Any, (b) => delete b.bucketEncryption);
      assert.match(checkBucketEncryption(BUCKET, props).join(), /no bucketEncryption/);
    });
    it("rejects an unknown algorithm, naming it", () => {
      const props = withChange(
        goodBucket() as Any,
        (b) => (b.bucketEncryption.serverSideEncryptionConfiguration[0].serverSideEncryptionByDefault.sseAlgorithm = "none"),
      );
      assert.match(checkBucketEncryption(BUCKET, props).join(), /sseAlgorithm "none"/);
    });
  });

  describe("ACLs disabled (advisory)", () => {
    it("accepts BucketOwnerEnforced", () => {
      assert.deepStrictEqual(checkBucketAclsDisabled(BUCKET, goodBucket()), []);
    });
    it("flags ObjectWriter ownership and missing ownership controls", () => {
      const writer = withChange(goodBucket() as Any, (b) => (b.ownershipControls.rules[0].objectOwnership = "ObjectWriter"));
      assert.match(checkBucketAclsDisabled(BUCKET, writer).join(), /"ObjectWriter"/);
      const none = withChange(goodBucket() as Any, (b) => delete b.ownershipControls);
      assert.strictEqual(checkBucketAclsDisabled(BUCKET, none).length, 1);
    });
  });

  describe("TLS-only bucket policy (stack rule)", () => {
    const bucket = (name: string): StackResource => ({ type: BUCKET, name, urn: `urn:${name}`, props: goodBucket(name) });
    const policy = (name: string, bucketName: unknown, document: unknown, deps: string[] = []): StackResource => ({
      type: BUCKET_POLICY,
      name,
      urn: `urn:${name}`,
      props: { bucket: bucketName, policyDocument: document },
      propertyDependencies: { bucket: deps },
    });

    it("accepts every bucket with a policy denying insecure transport", () => {
      const resources = [
        bucket("a"),
        bucket("b"),
        policy("pa", "a", tlsOnlyPolicyDocument("a")),
        policy("pb", "b", JSON.stringify(tlsOnlyPolicyDocument("b"))),
      ];
      assert.deepStrictEqual(checkBucketsDenyInsecureTransport(resources), []);
    });
    it("reports the bucket that has no policy, at that bucket", () => {
      const violations = checkBucketsDenyInsecureTransport([bucket("a"), bucket("b"), policy("pa", "a", tlsOnlyPolicyDocument("a"))]);
      assert.strictEqual(violations.length, 1);
      assert.strictEqual(violations[0].urn, "urn:b");
      assert.match(violations[0].message, /"b" has no aws-native:s3:BucketPolicy/);
    });
    it("rejects a policy whose deny does not depend on aws:SecureTransport", () => {
      const doc = withChange(
        tlsOnlyPolicyDocument("a") as Any,
        (d) => (d.Statement[0].Condition = { StringEquals: { "aws:PrincipalAccount": "1" } }),
      );
      assert.match(checkBucketsDenyInsecureTransport([bucket("a"), policy("pa", "a", doc)])[0].message, /none denies requests without TLS/);
    });
    it("rejects a TLS deny that covers only the objects, not the bucket", () => {
      const doc = withChange(tlsOnlyPolicyDocument("a") as Any, (d) => (d.Statement[0].Resource = ["arn:aws:s3:::a/*"]));
      assert.strictEqual(checkBucketsDenyInsecureTransport([bucket("a"), policy("pa", "a", doc)]).length, 1);
    });
    it("rejects a TLS 'deny' that only applies to one principal or one action", () => {
      const onePrincipal = withChange(
        tlsOnlyPolicyDocument("a") as Any,
        (d) => (d.Statement[0].Principal = { AWS: "arn:aws:iam::1:root" }),
      );
      const oneAction = withChange(tlsOnlyPolicyDocument("a") as Any, (d) => (d.Statement[0].Action = "s3:GetObject"));
      assert.strictEqual(checkBucketsDenyInsecureTransport([bucket("a"), policy("pa", "a", onePrincipal)]).length, 1);
      assert.strictEqual(checkBucketsDenyInsecureTransport([bucket("a"), policy("pa", "a", oneAction)]).length, 1);
    });
    it("rejects an Allow statement that merely mentions SecureTransport", () => {
      const doc = withChange(tlsOnlyPolicyDocument("a") as Any, (d) => (d.Statement[0].Effect = "Allow"));
      assert.strictEqual(checkBucketsDenyInsecureTransport([bucket("a"), policy("pa", "a", doc)]).length, 1);
    });
    it("reads outputs whose document keys older aws-native providers lower-cased", () => {
      const stored = lowerCamelKeys(tlsOnlyPolicyDocument("a")) as Any;
      assert.ok("statement" in stored && "effect" in stored.statement[0] && "bool" in stored.statement[0].condition);
      assert.deepStrictEqual(checkBucketsDenyInsecureTransport([bucket("a"), policy("pa", "a", stored)]), []);
      stored.statement[0].condition.bool["aws:SecureTransport"] = "true";
      assert.strictEqual(checkBucketsDenyInsecureTransport([bucket("a"), policy("pa", "a", stored)]).length, 1);
    });
    it("matches a policy to a bucket with a computed name through its dependency (preview)", () => {
      const unnamed: StackResource = { ...bucket("a"), props: { ...goodBucket("a"), bucketName: UNKNOWN } };
      const doc = withChange(tlsOnlyPolicyDocument("a") as Any, (d) => (d.Statement[0].Resource = [UNKNOWN, UNKNOWN]));
      assert.deepStrictEqual(checkBucketsDenyInsecureTransport([unnamed, policy("pa", UNKNOWN, doc, ["urn:a"])]), []);
      const insecure = withChange(doc, (d) => (d.Statement[0].Effect = "Allow"));
      assert.strictEqual(checkBucketsDenyInsecureTransport([unnamed, policy("pa", UNKNOWN, insecure, ["urn:a"])]).length, 1);
    });
  });
});
