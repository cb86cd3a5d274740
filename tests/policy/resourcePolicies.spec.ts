import * as assert from "assert";
import { checkResourcePolicyNotPublic } from "../../policy/resourcePolicies";
import { UNKNOWN } from "../../policy/values";
import { lowerCamelKeys, tlsOnlyPolicyDocument } from "./fixtures";

type Any = Record<string, any>;

const publish = (extra: Any = {}) => ({
  Version: "2012-10-17",
  Statement: [{ Sid: "Publish", Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: "arn:aws:sns:us-east-1:1:t", ...extra }],
});

describe("policy: resource policies are not public", () => {
  it("accepts statements for named principals and Deny statements for everyone", () => {
    const named = {
      Statement: [{ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: "*" }],
    };
    assert.deepStrictEqual(checkResourcePolicyNotPublic("aws-native:sns:TopicPolicy", { policyDocument: named }), []);
    assert.deepStrictEqual(checkResourcePolicyNotPublic("aws-native:s3:BucketPolicy", { policyDocument: tlsOnlyPolicyDocument("b") }), []);
  });

  it("rejects an Allow for every principal without a condition, in each resource-policy type", () => {
    for (const [type, property] of [
      ["aws-native:sns:TopicPolicy", "policyDocument"],
      ["aws-native:sqs:QueueInlinePolicy", "policyDocument"],
      ["aws-native:s3:BucketPolicy", "policyDocument"],
      ["aws-native:kms:Key", "keyPolicy"],
    ]) {
      const violations = checkResourcePolicyNotPublic(type, { [property]: publish() });
      assert.strictEqual(violations.length, 1, type);
      assert.match(violations[0], /Statement\[0\] allows "sns:Publish" to every principal \("\*"\) with no condition on the caller/);
    }
    assert.strictEqual(
      checkResourcePolicyNotPublic("aws-native:sns:TopicPolicy", { policyDocument: publish({ Principal: { AWS: ["*"] } }) }).length,
      1,
    );
  });

  it("accepts everyone narrowed by a condition on the caller, but not by an unrelated condition", () => {
    const byOrg = publish({ Condition: { StringEquals: { "aws:PrincipalOrgID": "o-123" } } });
    assert.deepStrictEqual(checkResourcePolicyNotPublic("aws-native:sns:TopicPolicy", { policyDocument: byOrg }), []);
    const tlsOnly = publish({ Condition: { Bool: { "aws:SecureTransport": "true" } } });
    assert.strictEqual(checkResourcePolicyNotPublic("aws-native:sns:TopicPolicy", { policyDocument: tlsOnly }).length, 1);
  });

  it("reads documents with lower-cased keys and leaves unknown ones to `pulumi up`", () => {
    assert.strictEqual(checkResourcePolicyNotPublic("aws-native:sns:TopicPolicy", { policyDocument: lowerCamelKeys(publish()) }).length, 1);
    assert.deepStrictEqual(checkResourcePolicyNotPublic("aws-native:sns:TopicPolicy", { policyDocument: UNKNOWN }), []);
    assert.deepStrictEqual(
      checkResourcePolicyNotPublic("aws-native:sns:TopicPolicy", { policyDocument: publish({ Principal: UNKNOWN }) }),
      [],
    );
  });

  describe("Lambda permissions", () => {
    const permission = {
      action: "lambda:InvokeFunction",
      functionName: "f",
      principal: "s3.amazonaws.com",
      sourceArn: "arn:aws:s3:::b",
      sourceAccount: "123456789012",
    };
    it("accepts a service principal with its source named", () => {
      assert.deepStrictEqual(checkResourcePolicyNotPublic("aws-native:lambda:Permission", permission), []);
    });
    it("rejects a service principal without a source (confused deputy)", () => {
      const { sourceArn: _a, sourceAccount: _b, ...open } = permission;
      assert.match(
        checkResourcePolicyNotPublic("aws-native:lambda:Permission", open).join(),
        /s3.amazonaws.com invoke the function on behalf of any account/,
      );
    });
    it("rejects every principal unless narrowed", () => {
      assert.strictEqual(checkResourcePolicyNotPublic("aws-native:lambda:Permission", { principal: "*", functionName: "f" }).length, 1);
      assert.deepStrictEqual(
        checkResourcePolicyNotPublic("aws-native:lambda:Permission", { principal: "*", functionName: "f", principalOrgId: "o-1" }),
        [],
      );
    });
  });
});
