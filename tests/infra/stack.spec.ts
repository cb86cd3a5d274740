import * as assert from "assert";
import { CONTRACT_OUTPUTS, OPERATOR_OUTPUTS } from "../../contract/stackOutputs";
import { customResources, ofType, runWith, STACKS, stackRun } from "../helpers/program";

/** What one stack deploys: [type, count]. */
const EXPECTED_RESOURCES: Record<string, number> = {
  "aws-native:s3:Bucket": 3,
  "aws-native:s3:BucketPolicy": 3,
  "aws-native:dynamodb:Table": 1,
  "aws-native:sqs:Queue": 1,
  "aws-native:sqs:QueueInlinePolicy": 1,
  "aws-native:logs:LogGroup": 1,
  "aws-native:iam:Role": 1,
  "aws-native:lambda:Function": 1,
  "aws-native:lambda:Permission": 1,
  "aws-native:lambda:EventInvokeConfig": 1,
  "aws:s3/bucketObjectv2:BucketObjectv2": 1,
  // The wait for the execution role to propagate in IAM (infra/compute/roleReadiness.ts).
  "pulumi-nodejs:dynamic:Resource": 1,
};

describe("The stack", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("registers each pipeline resource type the expected number of times", async () => {
        const run = await stackRun(stack);
        for (const [type, count] of Object.entries(EXPECTED_RESOURCES)) {
          assert.strictEqual(ofType(run, type).length, count, `${type} in ${stack}`);
        }
      });

      it("uses aws-native for everything except the function's code object and the role-readiness wait", async () => {
        const run = await stackRun(stack);
        const classic = customResources(run).filter((r) => !r.type.startsWith("aws-native:"));
        assert.deepStrictEqual(classic.map((r) => r.type).sort(), [
          "aws:s3/bucketObjectv2:BucketObjectv2",
          "pulumi-nodejs:dynamic:Resource",
        ]);
      });

      it("parents every resource under the pipeline component", async () => {
        const run = await stackRun(stack);
        const pipeline = ofType(run, "thumbnails:pipeline:ThumbnailPipeline");
        assert.strictEqual(pipeline.length, 1);
        const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
        for (const r of customResources(run)) {
          let p = r.parent;
          while (p && p !== pipeline[0].urn) p = byUrn.get(p)?.parent;
          assert.strictEqual(p, pipeline[0].urn, `${r.name} is inside the pipeline`);
        }
      });

      it("exports the contract outputs, each a non-empty string", async () => {
        const run = await stackRun(stack);
        for (const name of CONTRACT_OUTPUTS) {
          assert.strictEqual(typeof run.outputs[name], "string", `output ${name}`);
          assert.ok((run.outputs[name] as string).length > 0, `output ${name} is not empty`);
        }
      });

      it("exports exactly the contract and operator outputs, no more", async () => {
        const run = await stackRun(stack);
        assert.deepStrictEqual(Object.keys(run.outputs).sort(), [...CONTRACT_OUTPUTS, ...OPERATOR_OUTPUTS].sort());
      });

      it("exports the names of the resources it created", async () => {
        const run = await stackRun(stack);
        const names = (type: string, key: string) => ofType(run, type).map((r) => r.state[key]);
        assert.ok(names("aws-native:s3:Bucket", "bucketName").includes(run.outputs.sourceBucketName));
        assert.ok(names("aws-native:s3:Bucket", "bucketName").includes(run.outputs.thumbnailBucketName));
        assert.deepStrictEqual(names("aws-native:dynamodb:Table", "tableName"), [run.outputs.metadataTableName]);
        assert.deepStrictEqual(names("aws-native:lambda:Function", "arn"), [run.outputs.thumbnailFunctionArn]);
        assert.deepStrictEqual(names("aws-native:lambda:Function", "functionName"), [run.outputs.thumbnailFunctionName]);
        assert.deepStrictEqual(names("aws-native:logs:LogGroup", "logGroupName"), [run.outputs.logGroupName]);
        assert.deepStrictEqual(names("aws-native:sqs:Queue", "queueUrl"), [run.outputs.deadLetterQueueUrl]);
        assert.deepStrictEqual(names("aws-native:sqs:Queue", "arn"), [run.outputs.deadLetterQueueArn]);
        assert.strictEqual(run.outputs.region, run.config["aws-native:region"]);
      });

      it("names resources <project>-<environment>-<purpose>", async () => {
        const run = await stackRun(stack);
        assert.strictEqual(run.outputs.thumbnailFunctionName, `thumbnail-pipeline-${stack}-thumbnailer`);
        assert.strictEqual(run.outputs.metadataTableName, `thumbnail-pipeline-${stack}-ImageMetadata`);
        assert.match(run.outputs.deadLetterQueueUrl as string, new RegExp(`/thumbnail-pipeline-${stack}-thumbnailer-dlq$`));
      });
    });
  }

  it("warns when a stack's environment differs from its name (names could collide with that environment's stack)", async () => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
    try {
      await runWith({ stack: "dev", config: { environment: "staging" } });
    } finally {
      console.warn = original;
    }
    assert.ok(
      warnings.some((w) => w.includes('stack "dev" has environment "staging"') && w.includes("thumbnail-pipeline-staging-")),
      warnings.join("\n"),
    );
  });

  it("warns when a prod stack runs without data protection or point-in-time recovery", async () => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
    try {
      await runWith({ stack: "prod", config: { protectData: false } });
    } finally {
      console.warn = original;
    }
    assert.ok(
      warnings.some((w) => w.includes('environment "prod" without protectData')),
      warnings.join("\n"),
    );
  });

  it("does not warn for stacks named after their environment", async () => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
    try {
      await runWith({ stack: "prod" });
    } finally {
      console.warn = original;
    }
    assert.deepStrictEqual(
      warnings.filter((w) => w.includes("has environment") || w.includes("without")),
      [],
    );
  });

  it("dev and prod get different physical names for everything named", async () => {
    const [dev, prod] = await Promise.all([stackRun("dev"), stackRun("prod")]);
    for (const key of [
      "sourceBucketName",
      "thumbnailBucketName",
      "metadataTableName",
      "thumbnailFunctionName",
      "logGroupName",
      "deadLetterQueueUrl",
    ]) {
      assert.notStrictEqual(dev.outputs[key], prod.outputs[key], key);
    }
  });
});
