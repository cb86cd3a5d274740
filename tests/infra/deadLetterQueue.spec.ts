import * as assert from "assert";
import { FunctionPermissions } from "../../contract/permissions";
import { one, runWith, STACKS, stackRun } from "../helpers/program";

describe("Dead-letter queue", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("is an SQS queue encrypted with SSE-SQS that keeps messages 14 days", async () => {
        const q = one(await stackRun(stack), "aws-native:sqs:Queue");
        assert.strictEqual(q.inputs.sqsManagedSseEnabled, true);
        assert.strictEqual(q.inputs.messageRetentionPeriod, 14 * 24 * 3600);
        assert.strictEqual(q.inputs.fifoQueue, undefined, "a standard queue (Lambda destinations cannot be FIFO)");
      });

      it("denies requests without TLS", async () => {
        const run = await stackRun(stack);
        const q = one(run, "aws-native:sqs:Queue");
        const policy = one(run, "aws-native:sqs:QueueInlinePolicy");
        assert.strictEqual(policy.inputs.queue, q.state.queueUrl);
        assert.deepStrictEqual(policy.inputs.policyDocument.Statement, [
          {
            Sid: "DenyRequestsWithoutTls",
            Effect: "Deny",
            Principal: "*",
            Action: "sqs:*",
            Resource: q.state.arn,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ]);
      });

      it("receives the function's failed asynchronous invocations, with retries and event age from config", async () => {
        const run = await stackRun(stack);
        const cfg = one(run, "aws-native:lambda:EventInvokeConfig");
        const q = one(run, "aws-native:sqs:Queue");
        const fn = one(run, "aws-native:lambda:Function");
        assert.strictEqual(cfg.inputs.functionName, fn.state.functionName);
        assert.strictEqual(cfg.inputs.qualifier, "$LATEST");
        assert.deepStrictEqual(cfg.inputs.destinationConfig, { onFailure: { destination: q.state.arn } });
        assert.strictEqual(cfg.inputs.maximumRetryAttempts, Number(run.config["thumbnail-pipeline:asyncMaxRetryAttempts"]));
        assert.strictEqual(cfg.inputs.maximumEventAgeInSeconds, Number(run.config["thumbnail-pipeline:asyncMaxEventAgeSeconds"]));
        assert.ok(cfg.dependencies.includes(fn.urn) && cfg.dependencies.includes(q.urn));
      });

      it("may be sent to by the function's role, and nothing more", async () => {
        const run = await stackRun(stack);
        const q = one(run, "aws-native:sqs:Queue");
        const role = one(run, "aws-native:iam:Role");
        const onQueue = role.inputs.policies
          .flatMap((p: any) => p.policyDocument.Statement)
          .filter((s: any) => [s.Resource].flat().includes(q.state.arn));
        assert.deepStrictEqual(
          onQueue.map((s: any) => s.Action),
          [[...FunctionPermissions.deadLetterQueue]],
        );
        assert.deepStrictEqual(FunctionPermissions.deadLetterQueue, ["sqs:SendMessage"]);
      });
    });
  }

  it("takes retries and maximum event age from config overrides", async () => {
    const run = await runWith({ stack: "dev", config: { asyncMaxRetryAttempts: 0, asyncMaxEventAgeSeconds: 600 } });
    const cfg = one(run, "aws-native:lambda:EventInvokeConfig");
    assert.strictEqual(cfg.inputs.maximumRetryAttempts, 0);
    assert.strictEqual(cfg.inputs.maximumEventAgeInSeconds, 600);
  });
});
