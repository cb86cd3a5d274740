/**
 * `npm run redrive`: replays the dead-letter queue against SQS and Lambda clients mocked with
 * aws-sdk-client-mock, behind which a small in-memory queue honours receipt, visibility and
 * deletion the way SQS does.
 */
import { strict as assert } from "assert";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describePayload, functionNameOf, main, parseDestinationRecord, redrive } from "../../tools/ops/redrive";
import { UsageError } from "../../tools/cli";

const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/thumbnail-pipeline-prod-thumbnailer-dlq";
const FUNCTION_NAME = "thumbnail-pipeline-prod-thumbnailer";
const FUNCTION_ARN = `arn:aws:lambda:eu-west-1:123456789012:function:${FUNCTION_NAME}`;

function s3Event(key: string) {
  return {
    Records: [
      {
        eventSource: "aws:s3",
        eventName: "ObjectCreated:Put",
        s3: { bucket: { name: "uploads" }, object: { key, size: 10, eTag: "e", sequencer: "01" } },
      },
    ],
  };
}

/** The message Lambda's on-failure destination puts in the queue. */
function destinationRecord(key: string, functionArn = `${FUNCTION_ARN}:$LATEST`) {
  return JSON.stringify({
    version: "1.0",
    timestamp: "2026-11-27T04:00:00.000Z",
    requestContext: { requestId: `req-${key}`, functionArn, condition: "RetriesExhausted", approximateInvokeCount: 3 },
    requestPayload: s3Event(key),
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: { errorType: "TransientError", errorMessage: "DynamoDB throttled" },
  });
}

/** An SQS queue as far as redrive uses it: in-flight messages are invisible until released. */
class FakeQueue {
  messages = new Map<string, { body: string; inFlight: boolean }>();
  private next = 0;
  add(body: string): string {
    const id = `m${++this.next}`;
    this.messages.set(id, { body, inFlight: false });
    return id;
  }
  receive(max: number) {
    const out = [];
    for (const [id, m] of this.messages) {
      if (out.length >= max) break;
      if (m.inFlight) continue;
      m.inFlight = true;
      out.push({ MessageId: id, ReceiptHandle: `rh-${id}`, Body: m.body });
    }
    return out;
  }
  remove(handle: string) {
    this.messages.delete(handle.replace(/^rh-/, ""));
  }
  release(handle: string) {
    const m = this.messages.get(handle.replace(/^rh-/, ""));
    if (m) m.inFlight = false;
  }
}

describe("redrive (npm run redrive)", () => {
  // Mocked in before(), not when mocha loads this file: the stubs replace send() on the classes,
  // so suites that run earlier (tests/cfn/motoDeploy.spec.ts) would otherwise get mocks too.
  let sqsMock: AwsClientStub<SQSClient>;
  let lambdaMock: AwsClientStub<LambdaClient>;
  before(() => {
    sqsMock = mockClient(SQSClient);
    lambdaMock = mockClient(LambdaClient);
  });
  let queue: FakeQueue;
  let invoked: { FunctionName?: string; InvocationType?: string; payload: any }[];
  let lines: string[];

  beforeEach(() => {
    sqsMock.reset();
    lambdaMock.reset();
    queue = new FakeQueue();
    invoked = [];
    lines = [];
    sqsMock.on(ReceiveMessageCommand).callsFake((input) => {
      assert.equal(input.QueueUrl, QUEUE_URL);
      return { Messages: queue.receive(input.MaxNumberOfMessages ?? 1) };
    });
    sqsMock.on(DeleteMessageCommand).callsFake((input) => {
      queue.remove(input.ReceiptHandle);
      return {};
    });
    sqsMock.on(ChangeMessageVisibilityCommand).callsFake((input) => {
      if (input.VisibilityTimeout === 0) queue.release(input.ReceiptHandle);
      return {};
    });
    lambdaMock.on(InvokeCommand).callsFake((input) => {
      invoked.push({
        FunctionName: input.FunctionName,
        InvocationType: input.InvocationType,
        payload: JSON.parse(Buffer.from(input.Payload).toString("utf8")),
      });
      return { StatusCode: input.InvocationType === "Event" ? 202 : 200 };
    });
  });
  after(() => {
    sqsMock.restore();
    lambdaMock.restore();
  });

  const clients = () => ({ sqs: new SQSClient({ region: "eu-west-1" }), lambda: new LambdaClient({ region: "eu-west-1" }) });
  const run = (extra: object = {}) => {
    const { sqs, lambda } = clients();
    return redrive(sqs, lambda, {
      queueUrl: QUEUE_URL,
      functionName: FUNCTION_NAME,
      waitTimeSeconds: 0,
      log: (l) => lines.push(l),
      ...extra,
    });
  };

  it("invokes the function asynchronously with each record's original event and then deletes the message", async () => {
    for (let i = 0; i < 13; i++) queue.add(destinationRecord(`photos/${i}.jpg`));
    const result = await run();
    assert.equal(result.received, 13);
    assert.equal(result.replayed, 13);
    assert.equal(queue.messages.size, 0, "every replayed message is deleted");
    assert.equal(invoked.length, 13);
    assert.deepEqual(invoked[0], { FunctionName: FUNCTION_NAME, InvocationType: "Event", payload: s3Event("photos/0.jpg") });
    assert.ok(
      lines.some((l) => /^progress: 10 received, 10 replayed/.test(l)),
      lines.join("\n"),
    );
    assert.ok(
      lines.some((l) => l.includes("s3://uploads/photos/12.jpg (RetriesExhausted, 3 attempts, TransientError: DynamoDB throttled)")),
    );
  });

  it("in a dry run invokes nothing, deletes nothing and leaves every message visible again", async () => {
    queue.add(destinationRecord("a.jpg"));
    queue.add(destinationRecord("b.jpg"));
    const result = await run({ dryRun: true });
    assert.equal(result.replayed, 2);
    assert.equal(invoked.length, 0);
    assert.equal(queue.messages.size, 2);
    assert.ok(
      [...queue.messages.values()].every((m) => !m.inFlight),
      "visible again for the real run",
    );
    assert.ok(lines.some((l) => l.includes("would replay") && l.includes("s3://uploads/a.jpg")));
    assert.equal(sqsMock.commandCalls(DeleteMessageCommand).length, 0);
  });

  it("leaves messages that are not this function's destination records in the queue", async () => {
    queue.add("not json");
    queue.add(JSON.stringify({ hello: "world" }));
    queue.add(destinationRecord("other.jpg", "arn:aws:lambda:eu-west-1:123456789012:function:someone-else:$LATEST"));
    queue.add(destinationRecord("ours.jpg"));
    const result = await run();
    assert.equal(result.replayed, 1);
    assert.deepEqual(
      result.skipped.map((s) => s.reason),
      [
        "body is not JSON",
        "no requestContext.functionArn (not a Lambda destination record)",
        `a record of function someone-else, not ${FUNCTION_NAME}`,
      ],
    );
    assert.equal(queue.messages.size, 3);
    assert.deepEqual(
      invoked.map((i) => i.payload),
      [s3Event("ours.jpg")],
    );
  });

  it("with --wait keeps a message whose replay fails again, and deletes the ones that succeed", async () => {
    lambdaMock.on(InvokeCommand).callsFake((input) => {
      const payload = JSON.parse(Buffer.from(input.Payload).toString("utf8"));
      invoked.push({ FunctionName: input.FunctionName, InvocationType: input.InvocationType, payload });
      const failing = payload.Records[0].s3.object.key === "bad.jpg";
      return failing
        ? { StatusCode: 200, FunctionError: "Unhandled", Payload: Buffer.from('{"errorMessage":"still broken"}') }
        : { StatusCode: 200 };
    });
    queue.add(destinationRecord("good.jpg"));
    const badId = queue.add(destinationRecord("bad.jpg"));
    const result = await run({ wait: true });
    assert.deepEqual(
      invoked.map((i) => i.InvocationType),
      ["RequestResponse", "RequestResponse"],
    );
    assert.equal(result.replayed, 1);
    assert.equal(result.failed.length, 1);
    assert.match(result.failed[0].error, /failed again \(Unhandled\).*still broken/);
    assert.deepEqual([...queue.messages.keys()], [badId]);
  });

  it("replays no more than --limit messages", async () => {
    for (let i = 0; i < 5; i++) queue.add(destinationRecord(`${i}.jpg`));
    const result = await run({ limit: 3 });
    assert.equal(result.replayed, 3);
    assert.equal(queue.messages.size, 2);
  });

  it("says so when the queue is empty", async () => {
    const result = await run();
    assert.equal(result.received, 0);
    assert.match(lines[lines.length - 1], /the queue is empty/);
  });

  it("explains missing credentials instead of printing an SDK stack", async () => {
    sqsMock
      .on(ReceiveMessageCommand)
      .rejects(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
    await assert.rejects(
      run(),
      (err: Error) =>
        err instanceof UsageError && /no AWS credentials found for sqs:ReceiveMessage/.test(err.message) && /AWS_PROFILE/.test(err.message),
    );
  });

  it("explains a queue that does not exist", async () => {
    sqsMock
      .on(ReceiveMessageCommand)
      .rejects(Object.assign(new Error("The specified queue does not exist."), { name: "QueueDoesNotExist" }));
    await assert.rejects(run(), /the queue does not exist .*wrong account or region/);
  });

  describe("command line", () => {
    const outputs = {
      region: "eu-west-1",
      deadLetterQueueUrl: QUEUE_URL,
      thumbnailFunctionName: FUNCTION_NAME,
      thumbnailFunctionArn: FUNCTION_ARN,
    };

    it("reads the queue and function from the stack's outputs and exits 0", async () => {
      queue.add(destinationRecord("x.jpg"));
      let asked: unknown;
      const code = await main(["--stack", "prod"], {
        readOutputs: (source) => ((asked = source), outputs),
        clients,
        log: (l) => lines.push(l),
      });
      assert.equal(code, 0);
      assert.deepEqual(asked, { stack: "prod", outputsFile: undefined });
      assert.equal(invoked.length, 1);
      assert.equal(queue.messages.size, 0);
    });

    it("exits 1 when a replay failed", async () => {
      lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: "Unhandled" });
      queue.add(destinationRecord("x.jpg"));
      const code = await main(["--stack", "prod", "--wait"], { readOutputs: () => outputs, clients, log: (l) => lines.push(l) });
      assert.equal(code, 1);
      assert.equal(queue.messages.size, 1);
    });

    it("names the missing output and the outputs the stack has", async () => {
      const { deadLetterQueueUrl: _omitted, ...without } = outputs;
      await assert.rejects(
        main(["--stack", "prod"], { readOutputs: () => without, clients, log: () => undefined }),
        (err: Error) =>
          err instanceof UsageError &&
          err.message.includes('stack "prod" has no output "deadLetterQueueUrl"') &&
          err.message.includes("outputs present: region, thumbnailFunctionArn, thumbnailFunctionName"),
      );
    });

    it("refuses unknown options and a bad --limit with the usage", async () => {
      await assert.rejects(
        main(["--stack", "prod", "--force"], { readOutputs: () => outputs, clients }),
        /Unknown option '--force'[\s\S]*usage: npm run redrive/,
      );
      await assert.rejects(
        main(["--stack", "prod", "--limit", "0"], { readOutputs: () => outputs, clients }),
        /--limit 0: must be a whole number/,
      );
    });
  });
});

describe("destination records", () => {
  it("takes the function name from a name, an ARN or a qualified ARN", () => {
    assert.equal(functionNameOf("fn"), "fn");
    assert.equal(functionNameOf("arn:aws:lambda:eu-west-1:1:function:fn"), "fn");
    assert.equal(functionNameOf("arn:aws:lambda:eu-west-1:1:function:fn:$LATEST"), "fn");
  });

  it("refuses a record without the original event", () => {
    assert.throws(() => parseDestinationRecord(JSON.stringify({ requestContext: { functionArn: "x" } })), /no requestPayload/);
  });

  it("shows S3 keys decoded as S3 encodes them in events", () => {
    assert.equal(describePayload(s3Event("my+photo%C3%A9.jpg")), "s3://uploads/my photoé.jpg");
    assert.equal(describePayload({}), "event without S3 records");
  });
});
