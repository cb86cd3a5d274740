import * as assert from "assert";
import { one, runWith, stackConfig } from "../helpers/program";

describe("Program under mocks (tools/harness/programUnderMocks.ts)", () => {
  it("applies Pulumi.yaml defaults, then Pulumi.<stack>.yaml, then overrides, as the CLI would", () => {
    const dev = stackConfig("dev");
    assert.strictEqual(dev["thumbnail-pipeline:functionMemoryMb"], "1280", "default from Pulumi.yaml");
    assert.strictEqual(dev["thumbnail-pipeline:environment"], "dev", "from Pulumi.dev.yaml");
    assert.strictEqual(dev["aws-native:region"], "us-east-1");
    const prod = stackConfig("prod", { functionMemoryMb: 2048, "aws-native:region": "eu-west-1" });
    assert.strictEqual(prod["thumbnail-pipeline:functionMemoryMb"], "2048", "override");
    assert.strictEqual(prod["thumbnail-pipeline:logRetentionDays"], "90", "from Pulumi.prod.yaml");
    assert.strictEqual(prod["aws-native:region"], "eu-west-1", "namespaced override");
    assert.strictEqual(prod["thumbnail-pipeline:extraTags"], '{"CostCenter":"media-platform"}', "maps as JSON");
    assert.strictEqual(prod["thumbnail-pipeline:thumbnailSizes"], "[256]", "lists as JSON");
  });

  it("runs stacks one after another in one process, each with its own config", async () => {
    const [a, b, c] = await Promise.all([
      runWith({ stack: "dev" }),
      runWith({ stack: "prod" }),
      runWith({ stack: "dev", config: { functionMemoryMb: 1024, maxImagePixels: 40_000_000 } }),
    ]);
    assert.strictEqual(one(a, "aws-native:lambda:Function").inputs.memorySize, 1280);
    assert.strictEqual(one(b, "aws-native:lambda:Function").inputs.functionName, "thumbnail-pipeline-prod-thumbnailer");
    assert.strictEqual(one(c, "aws-native:lambda:Function").inputs.memorySize, 1024);
    assert.strictEqual(a.resources.length, c.resources.length);
  });

  it("recovers after a program that fails", async () => {
    await assert.rejects(runWith({ stack: "dev", config: { environment: "qa" } }), /environment/);
    const run = await runWith({ stack: "dev" });
    assert.strictEqual(run.outputs.thumbnailFunctionName, "thumbnail-pipeline-dev-thumbnailer");
  });

  it("lets hooks change what the mocks answer (account, resource state)", async () => {
    const run = await runWith({
      stack: "dev",
      mocks: {
        call: (args, defaults) => (args.token === "aws-native:index:getAccountId" ? { accountId: "999999999999" } : defaults),
        newResource: (args, defaults) =>
          args.type === "aws-native:sqs:Queue" ? { id: defaults.id, state: { ...defaults.state, queueUrl: "marker://queue" } } : undefined,
      },
    });
    assert.match(run.outputs.sourceBucketName as string, /-999999999999-us-east-1$/);
    assert.strictEqual(run.outputs.deadLetterQueueUrl, "marker://queue");
  });

  it("records parent, protect, retainOnDelete and dependencies from the resource options", async () => {
    const run = await runWith({ stack: "prod" });
    const table = one(run, "aws-native:dynamodb:Table");
    assert.strictEqual(table.protect, true);
    assert.strictEqual(table.retainOnDelete, true);
    assert.match(table.parent!, /thumbnails:storage:MetadataTable::/);
    const queue = one(run, "aws-native:sqs:Queue");
    assert.strictEqual(queue.protect, undefined);
    assert.deepStrictEqual(queue.dependsOn, []);
    assert.strictEqual(table.custom, true);
    assert.strictEqual(one(run, "thumbnails:storage:MetadataTable").custom, false);
  });
});
