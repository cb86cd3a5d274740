import * as assert from "assert";
import { FunctionPermissions } from "../../contract/permissions";
import { Table } from "../../contract/table";
import type { ProgramRun } from "../helpers/program";
import { customResources, one, STACKS, stackRun } from "../helpers/program";

function statements(run: ProgramRun): any[] {
  const role = one(run, "aws-native:iam:Role");
  return role.inputs.policies.flatMap((p: any) => p.policyDocument.Statement);
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v : [v]) as string[];

/** Every IAM-ish policy document the stack sends anywhere (role, bucket, queue, topic, key policies). */
function allPolicyStatements(run: ProgramRun): Array<{ owner: string; ownerType: string; statement: any }> {
  const found: Array<{ owner: string; ownerType: string; statement: any }> = [];
  const walk = (owner: string, ownerType: string, value: unknown): void => {
    if (Array.isArray(value)) value.forEach((v) => walk(owner, ownerType, v));
    else if (value && typeof value === "object") {
      const o = value as Record<string, unknown>;
      if (Array.isArray(o.Statement)) for (const s of o.Statement) found.push({ owner, ownerType, statement: s });
      else Object.values(o).forEach((v) => walk(owner, ownerType, v));
    }
  };
  for (const r of customResources(run)) walk(r.name, r.type, r.inputs);
  return found;
}

describe("Execution role", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("can be assumed by Lambda only", async () => {
        const role = one(await stackRun(stack), "aws-native:iam:Role");
        assert.deepStrictEqual(role.inputs.assumeRolePolicyDocument.Statement, [
          { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ]);
        assert.strictEqual(role.inputs.managedPolicyArns, undefined, "no managed policies");
      });

      it("grants exactly the function's contract actions, each on exactly its resource", async () => {
        const run = await stackRun(stack);
        const source = one(run, "aws-native:s3:Bucket", "source").state.arn;
        const thumbs = one(run, "aws-native:s3:Bucket", "thumbnails").state.arn;
        const table = one(run, "aws-native:dynamodb:Table").state.arn;
        const queue = one(run, "aws-native:sqs:Queue").state.arn;
        const logGroup = one(run, "aws-native:logs:LogGroup").state.logGroupName;
        const region = run.config["aws-native:region"];
        const expected: Array<[readonly string[], string]> = [
          [FunctionPermissions.sourceObjects, `${source}/*`],
          [FunctionPermissions.sourceBucket, source],
          [FunctionPermissions.thumbnailObjects, `${thumbs}/*`],
          [FunctionPermissions.thumbnailBucket, thumbs],
          [FunctionPermissions.metadataTable, table],
          [FunctionPermissions.bySourceKeyIndex, `${table}/index/${Table.bySourceKey.indexName}`],
          [FunctionPermissions.deadLetterQueue, queue],
          [FunctionPermissions.logGroup, `arn:aws:logs:${region}:123456789012:log-group:${logGroup}:*`],
        ];
        const actual = statements(run).map((s) => {
          assert.strictEqual(s.Effect, "Allow");
          assert.strictEqual(s.Condition, undefined);
          return [[...asList(s.Action)].sort().join(","), asList(s.Resource).join(",")]; // a copy: the run is shared, read-only
        });
        assert.deepStrictEqual(actual.sort(), expected.map(([actions, resource]) => [[...actions].sort().join(","), resource]).sort());
      });

      it("never grants a wildcard action, and no resource outside this stack", async () => {
        const run = await stackRun(stack);
        const own = [
          ...customResources(run)
            .filter((r) => r.type === "aws-native:s3:Bucket")
            .map((r) => r.state.arn as string),
          one(run, "aws-native:dynamodb:Table").state.arn as string,
          one(run, "aws-native:sqs:Queue").state.arn as string,
          `arn:aws:logs:${run.config["aws-native:region"]}:123456789012:log-group:${one(run, "aws-native:logs:LogGroup").state.logGroupName}:`,
        ];
        for (const s of statements(run)) {
          for (const action of asList(s.Action)) {
            assert.ok(!action.includes("*"), `action ${action} has no wildcard`);
          }
          for (const resource of asList(s.Resource)) {
            assert.notStrictEqual(resource, "*");
            const ownedBy = (arn: string) =>
              resource === arn || resource.startsWith(`${arn}/`) || (arn.endsWith(":") && resource.startsWith(arn));
            assert.ok(own.some(ownedBy), `${resource} belongs to this stack`);
            // The only wildcards: "objects of this bucket" and "streams of this log group".
            if (resource.includes("*")) assert.match(resource, /(\/\*|:\*)$/);
          }
        }
      });

      it("nowhere in the stack allows '*' actions or '*' resources (deny statements excepted)", async () => {
        const run = await stackRun(stack);
        for (const { owner, ownerType, statement } of allPolicyStatements(run)) {
          if (statement.Effect === "Deny") continue;
          // A KMS key policy can only name its own key, which KMS spells "*" (the alarm topic's key).
          const kmsKeyPolicy = ownerType === "aws-native:kms:Key";
          for (const action of asList(statement.Action ?? [])) {
            assert.ok((action !== "*" && !/^[a-z0-9-]+:\*$/.test(action)) || kmsKeyPolicy, `${owner}: action ${action}`);
          }
          for (const resource of asList(statement.Resource ?? [])) {
            assert.ok(resource !== "*" || kmsKeyPolicy, `${owner}: resource "*"`);
          }
          if (statement.Principal !== undefined) assert.notStrictEqual(statement.Principal, "*", `${owner}: Allow to any principal`);
        }
      });
    });
  }
});
