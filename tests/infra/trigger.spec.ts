import * as assert from "assert";
import { one, STACKS, stackRun } from "../helpers/program";

describe("Upload trigger", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("invokes the function for every object created in or removed from the source bucket, with no key filter", async () => {
        const run = await stackRun(stack);
        const source = one(run, "aws-native:s3:Bucket", "source");
        const fn = one(run, "aws-native:lambda:Function");
        assert.deepStrictEqual(source.inputs.notificationConfiguration, {
          lambdaConfigurations: [
            { event: "s3:ObjectCreated:*", function: fn.state.arn },
            { event: "s3:ObjectRemoved:*", function: fn.state.arn },
          ],
        });
      });

      it("sets no notification on the thumbnail or artifact buckets (no recursion)", async () => {
        const run = await stackRun(stack);
        for (const purpose of ["thumbnails", "artifacts"]) {
          assert.strictEqual(one(run, "aws-native:s3:Bucket", purpose).inputs.notificationConfiguration, undefined, purpose);
        }
      });

      it("lets only S3, for the source bucket of this account, invoke the function", async () => {
        const run = await stackRun(stack);
        const permission = one(run, "aws-native:lambda:Permission");
        const source = one(run, "aws-native:s3:Bucket", "source");
        const fn = one(run, "aws-native:lambda:Function");
        assert.strictEqual(permission.inputs.action, "lambda:InvokeFunction");
        assert.strictEqual(permission.inputs.principal, "s3.amazonaws.com");
        assert.strictEqual(permission.inputs.functionName, fn.state.arn);
        assert.strictEqual(permission.inputs.sourceArn, `arn:aws:s3:::${source.inputs.bucketName}`);
        assert.strictEqual(permission.inputs.sourceArn, source.state.arn);
        assert.strictEqual(permission.inputs.sourceAccount, "123456789012");
      });

      it("creates the source bucket after the permission (S3 validates the destination), without a cycle", async () => {
        const run = await stackRun(stack);
        const permission = one(run, "aws-native:lambda:Permission");
        const source = one(run, "aws-native:s3:Bucket", "source");
        assert.ok(source.dependsOn.includes(permission.urn), "declared dependsOn");
        assert.ok(source.dependencies.includes(permission.urn), "sent to the engine");
        assert.ok(!permission.dependencies.includes(source.urn), "the permission does not wait for the bucket");
      });

      it("has no dependency cycle anywhere", async () => {
        const run = await stackRun(stack);
        const deps = new Map(run.resources.map((r) => [r.urn, r.dependencies]));
        const state = new Map<string, "visiting" | "done">();
        const visit = (urn: string, path: string[]): void => {
          if (state.get(urn) === "done") return;
          assert.notStrictEqual(state.get(urn), "visiting", `cycle: ${[...path, urn].join(" -> ")}`);
          state.set(urn, "visiting");
          for (const d of deps.get(urn) ?? []) visit(d, [...path, urn]);
          state.set(urn, "done");
        };
        for (const urn of deps.keys()) visit(urn, []);
      });
    });
  }
});
