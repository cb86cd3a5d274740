import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { MockHooks, runProgram } from "../../tools/harness/programUnderMocks";
import { CheckedResource, Finding, runPack } from "./engine";
import { lowerCamelKeys } from "./fixtures";

type Any = Record<string, any>;

/**
 * As aws-native answers a preview: inputs echoed, every computed attribute (ARNs, generated ids)
 * unknown — so whatever the program derives from them reaches the policies unknown.
 */
const previewLikeAwsNative: MockHooks = { newResource: (args) => ({ id: undefined, state: { ...args.inputs } }) };

async function registered(stack: string, preview: boolean): Promise<CheckedResource[]> {
  const run = await runProgram({ stack, preview, mocks: preview ? previewLikeAwsNative : undefined });
  // Every resource the engine would see: custom resources, components and the stack itself.
  return run.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, inputs: r.inputs, outputs: preview ? r.inputs : r.state }));
}

function countUnknowns(value: unknown): number {
  if (pulumi.isUnknown(value)) return 1;
  if (value === null || typeof value !== "object") return 0;
  return Object.values(value).reduce((n: number, v) => n + countUnknowns(v), 0);
}

/** The types each rule is about: a zero-violation result only means something if they are there. */
const JUDGED_TYPES = [
  "aws-native:s3:Bucket",
  "aws-native:s3:BucketPolicy",
  "aws-native:iam:Role",
  "aws-native:lambda:Function",
  "aws-native:logs:LogGroup",
  "aws-native:dynamodb:Table",
];

function describeFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.policy} (${f.level}) at ${f.urn ?? "stack"}: ${f.message}`).join("\n");
}

describe("policy pack over the real program (under mocks)", () => {
  for (const stack of ["dev", "prod"]) {
    for (const preview of [false, true]) {
      const mode = preview ? "preview, computed values unknown" : "update";
      it(`finds no violation in the ${stack} stack (${mode})`, async () => {
        const resources = await registered(stack, preview);
        const types = new Set(resources.map((r) => r.type));
        for (const type of JUDGED_TYPES) assert.ok(types.has(type), `the ${stack} stack registers a ${type}`);
        if (preview) {
          const unknowns = resources.reduce((n, r) => n + countUnknowns(r.inputs), 0);
          assert.ok(unknowns > 0, "some inputs are unknown, as in a real preview");
        }
        const findings = await runPack(resources);
        assert.deepStrictEqual(findings, [], describeFindings(findings));
      });
    }
  }

  it("finds no violation when the stack's outputs come from an aws-native provider that lower-cases JSON keys", async () => {
    const resources = (await registered("prod", false)).map((r) => ({
      ...r,
      outputs: lowerCamelKeys(r.outputs) as Record<string, unknown>,
    }));
    const findings = await runPack(resources);
    assert.deepStrictEqual(findings, [], describeFindings(findings));
  });

  it("finds the violations careless changes to the program would introduce", async () => {
    const change = (resources: CheckedResource[], type: string, edit: (inputs: Any) => void): CheckedResource[] =>
      resources.map((r) => {
        if (r.type !== type) return r;
        const inputs = JSON.parse(JSON.stringify(r.inputs)) as Any;
        edit(inputs);
        return { ...r, inputs, outputs: inputs };
      });
    let resources = await registered("prod", false);
    const buckets = resources.filter((r) => r.type === "aws-native:s3:Bucket").length;
    resources = resources.filter((r) => r.type !== "aws-native:s3:BucketPolicy");
    resources = change(resources, "aws-native:iam:Role", (role) =>
      role.policies[0].policyDocument.Statement.push({ Effect: "Allow", Action: "s3:*", Resource: "*" }),
    );
    resources = change(resources, "aws-native:lambda:Function", (fn) => (fn.runtime = "nodejs20.x"));
    resources = change(resources, "aws-native:dynamodb:Table", (table) => {
      table.deletionProtectionEnabled = false;
      table.tags = table.tags.filter((t: Any) => t.key !== "ManagedBy");
    });
    resources = change(
      resources,
      "aws-native:s3:Bucket",
      (bucket) => (bucket.publicAccessBlockConfiguration.restrictPublicBuckets = false),
    );

    const findings = await runPack(resources);
    const count = (policy: string) => findings.filter((f) => f.policy === policy).length;
    assert.strictEqual(count("s3-bucket-tls-only"), buckets, describeFindings(findings));
    assert.strictEqual(count("s3-bucket-public-access-blocked"), buckets);
    assert.strictEqual(count("iam-least-privilege"), 2, "the wildcard action and the wildcard resource");
    assert.strictEqual(count("lambda-supported-runtime"), 1);
    assert.strictEqual(count("required-tags"), 1);
    assert.strictEqual(count("dynamodb-production-protection"), 1);
    assert.ok(findings.every((f) => f.level === "mandatory"));
  });
});
