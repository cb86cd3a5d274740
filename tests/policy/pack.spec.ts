import * as assert from "assert";
import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { policies } from "../../policy/policies";
import { scanTaggableTypes } from "../../policy/tools/generateTaggableTypes";
import { KEY_VALUE_ARRAY_TAGGED, OTHER_TAGGED, STRING_MAP_TAGGED } from "../../policy/taggableTypes";
import { UNKNOWN } from "../../policy/values";
import { readDoc } from "../helpers/docs";
import { goodBucket, goodRole, tlsOnlyPolicyDocument } from "./fixtures";

type Any = Record<string, any>;

/** Runs one resource policy as the policy engine would, props behind @pulumi/policy's unknown-checking proxy. */
export function validateResource(policy: ResourceValidationPolicy, type: string, props: Any, config: Any = {}): string[] {
  const messages: string[] = [];
  const args = {
    type,
    props: unknownCheckingProxy(props),
    urn: `urn:pulumi:test::p::${type}::r`,
    name: "r",
    getConfig: () => config,
  } as unknown as ResourceValidationArgs;
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
  for (const validate of validations) void validate(args, (message) => messages.push(message));
  return messages;
}

function byName(name: string) {
  const policy = policies.find((p) => p.name === name);
  assert.ok(policy, `policy ${name} exists`);
  return policy;
}

describe("policy pack", () => {
  it("sets an explicit enforcement level on every policy: mandatory, except the cost/hygiene advisories", () => {
    const levels = Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]));
    assert.deepStrictEqual(levels, {
      "s3-bucket-public-access-blocked": "mandatory",
      "s3-bucket-encrypted": "mandatory",
      "s3-bucket-tls-only": "mandatory",
      "s3-bucket-acls-disabled": "advisory",
      "cloudfront-https-only": "mandatory",
      "cloudfront-s3-origin-access-control": "mandatory",
      "iam-least-privilege": "mandatory",
      "resource-policies-not-public": "mandatory",
      "required-tags": "mandatory",
      "lambda-supported-runtime": "mandatory",
      "lambda-arm64": "advisory",
      "log-group-retention": "mandatory",
      "lambda-managed-log-group": "mandatory",
      "dynamodb-encrypted": "mandatory",
      "dynamodb-production-protection": "mandatory",
    });
  });

  it("is documented in policy/README.md: every policy with its level", () => {
    const doc = readDoc("policy/README.md");
    for (const policy of policies) {
      assert.ok(
        doc.includes(`| \`${policy.name}\` | ${policy.enforcementLevel} |`),
        `policy/README.md lists ${policy.name} as ${policy.enforcementLevel}`,
      );
    }
  });

  it("reads props through the engine's unknown-checking proxy without tripping on unknown values", () => {
    const policy = byName("iam-least-privilege") as ResourceValidationPolicy;
    const role = goodRole() as Any;
    role.policies[0].policyDocument.Statement.push({ Effect: "Allow", Action: "dynamodb:GetItem", Resource: UNKNOWN });
    assert.deepStrictEqual(validateResource(policy, "aws-native:iam:Role", role), []);
    role.policies[0].policyDocument.Statement.push({ Effect: "Allow", Action: "*", Resource: UNKNOWN });
    assert.strictEqual(validateResource(policy, "aws-native:iam:Role", role).length, 1);
  });

  it("passes the pack's config to the production-protection rule", () => {
    const policy = byName("dynamodb-production-protection") as ResourceValidationPolicy;
    const staging = { sseSpecification: { sseEnabled: true }, tags: [{ key: "Environment", value: "staging" }] };
    assert.deepStrictEqual(validateResource(policy, "aws-native:dynamodb:Table", staging), []);
    assert.strictEqual(validateResource(policy, "aws-native:dynamodb:Table", staging, { productionEnvironments: ["staging"] }).length, 2);
  });

  it("runs stack rules over the stack's resources and pins violations to the resource at fault", () => {
    const policy = byName("s3-bucket-tls-only") as StackValidationPolicy;
    const bucket = {
      type: "aws-native:s3:Bucket",
      name: "a",
      urn: "urn:a",
      props: unknownCheckingProxy({ ...goodBucket("a"), bucketName: UNKNOWN }),
      propertyDependencies: {},
    };
    const attached = {
      type: "aws-native:s3:BucketPolicy",
      name: "pa",
      urn: "urn:pa",
      props: unknownCheckingProxy({ bucket: UNKNOWN, policyDocument: tlsOnlyPolicyDocument("a") }),
      propertyDependencies: { bucket: [bucket] },
    };
    const run = (resources: unknown[]) => {
      const reported: Array<[string, string | undefined]> = [];
      void policy.validateStack({ resources: resources as PolicyResource[] } as StackValidationArgs, (m, urn) => reported.push([m, urn]));
      return reported;
    };
    assert.deepStrictEqual(run([bucket, attached]), []);
    const reported = run([bucket]);
    assert.strictEqual(reported.length, 1);
    assert.strictEqual(reported[0][1], "urn:a");
  });

  it("knows every taggable type of the installed aws-native SDK (re-run policy/tools/generateTaggableTypes.ts after an upgrade)", () => {
    const scanned = scanTaggableTypes();
    const listed = new Map<string, string>([
      ...KEY_VALUE_ARRAY_TAGGED.map((t) => [`aws-native:${t}`, "keyValueArray"] as [string, string]),
      ...STRING_MAP_TAGGED.map((t) => [`aws-native:${t}`, "stringMap"] as [string, string]),
      ...OTHER_TAGGED.map((t) => [`aws-native:${t}`, "other"] as [string, string]),
    ]);
    assert.ok(Object.keys(scanned).length > 500, "the scan found the SDK's resource classes");
    const missing = Object.keys(scanned).filter((t) => listed.get(t) !== scanned[t]);
    const extra = [...listed.keys()].filter((t) => !(t in scanned));
    assert.deepStrictEqual({ missing, extra }, { missing: [], extra: [] });
  });
});
