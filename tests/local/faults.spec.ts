/**
 * Fault injection (local/faults/): the spec's rules, the proxies failing the share of requests
 * they are told to with the errors AWS sends, crashes retried and dead-lettered as async Lambda
 * does, and the same seed giving the same faults.
 */
import { strict as assert } from "assert";
import * as esbuild from "esbuild";
import * as path from "path";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { parseArgs } from "../../local/cli/args";
import { startEmulators, type Emulators } from "../../local/emulators";
import { FaultCounts } from "../../local/faults/counts";
import { FaultInjector } from "../../local/faults/injector";
import { startFaultProxy, type FaultProxy } from "../../local/faults/proxy";
import { NO_FAULTS, parseFaultSpec, type FaultSpec } from "../../local/faults/spec";
import { DeadLetterQueue } from "../../local/runtime/deadLetterQueue";
import { EventDelivery } from "../../local/runtime/eventDelivery";
import { CRASH_MESSAGE, LambdaService } from "../../local/runtime/lambdaService";
import { UsageError } from "../../tools/cli";

const FULL = "s3-get=0.05,s3-put=0.05,dynamodb=0.05,throttle=0.05,crash=0.01,duplicate=0.1,reorder";

function only(shares: Partial<FaultSpec["shares"]>): FaultSpec {
  return { shares: { ...NO_FAULTS.shares, ...shares }, reorder: false };
}

function usageError(pattern: RegExp) {
  return (err: unknown) => err instanceof UsageError && pattern.test(err.message);
}

describe("fault spec (--faults)", () => {
  it("reads every kind: shares for the requests, containers and events they hit, reorder as a switch", () => {
    assert.deepEqual(parseFaultSpec(FULL), {
      shares: { "s3-get": 0.05, "s3-put": 0.05, dynamodb: 0.05, throttle: 0.05, crash: 0.01, duplicate: 0.1 },
      reorder: true,
    });
    assert.deepEqual(parseFaultSpec("crash=1"), only({ crash: 1 }));
  });

  it("refuses an unknown kind, naming it and the known ones", () => {
    assert.throws(
      () => parseFaultSpec("s3-get=0.1,s3-delete=0.1"),
      usageError(/"s3-delete=0.1": unknown fault kind "s3-delete"; known kinds: s3-get, s3-put,.*reorder/),
    );
  });

  it("refuses a share outside [0, 1], missing or not a number, naming the kind, the value and the rule", () => {
    assert.throws(() => parseFaultSpec("crash=1.5"), usageError(/"crash=1.5": crash must be a share from 0 to 1 .*got "1.5"/));
    assert.throws(() => parseFaultSpec("throttle=-0.1"), usageError(/throttle must be a share from 0 to 1.*got "-0.1"/));
    assert.throws(() => parseFaultSpec("dynamodb=lots"), usageError(/dynamodb must be a share from 0 to 1.*got "lots"/));
    assert.throws(() => parseFaultSpec("duplicate"), usageError(/duplicate must be a share from 0 to 1.*got no value/));
    assert.throws(() => parseFaultSpec("s3-put="), usageError(/s3-put must be a share/));
  });

  it("refuses reorder with a value, a kind given twice and an empty spec", () => {
    assert.throws(() => parseFaultSpec("reorder=0.5"), usageError(/reorder takes no value/));
    assert.throws(() => parseFaultSpec("crash=0.1,crash=0.2"), usageError(/"crash" is given twice/));
    assert.throws(() => parseFaultSpec(""), usageError(/--faults: a value is required/));
  });

  it("is an option of npm start, with --seed checked as a whole number", () => {
    const options = parseArgs(["--faults", FULL, "--seed", "42"]);
    assert.equal(options.seed, 42);
    assert.equal(options.faults.shares.duplicate, 0.1);
    assert.deepEqual(parseArgs([]).faults, NO_FAULTS);
    assert.throws(() => parseArgs(["--faults", "crash=2"]), usageError(/crash must be a share from 0 to 1/));
    assert.throws(() => parseArgs(["--seed", "-3"]), usageError(/--seed "-3": must be an integer from 0 to/));
  });
});

describe("fault proxies", function () {
  this.timeout(60_000);
  let emulators: Emulators;
  const proxies: FaultProxy[] = [];
  const BUCKET = "faults-spec";
  const TABLE = "FaultsSpec";

  before(async () => {
    emulators = await startEmulators();
    await emulators.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await emulators.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "object", Body: "bytes" }));
    await emulators.dynamo.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  });
  afterEach(async () => {
    for (const proxy of proxies.splice(0)) await proxy.close();
  });
  after(() => emulators.close());

  async function proxy(service: "s3" | "dynamodb", spec: FaultSpec, seed = 1) {
    const counts = new FaultCounts();
    const started = await startFaultProxy({
      service,
      upstream: service === "s3" ? emulators.s3Endpoint : emulators.dynamoEndpoint,
      spec,
      seed,
      counts,
    });
    proxies.push(started);
    return { proxy: started, counts };
  }

  /** Clients that do not retry, so every injected error reaches the test. */
  function s3Through(endpoint: string): S3Client {
    return new S3Client({
      endpoint,
      region: emulators.region,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      forcePathStyle: true,
      maxAttempts: 1,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }
  function dynamoThrough(endpoint: string): DynamoDBClient {
    return new DynamoDBClient({
      endpoint,
      region: emulators.region,
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
    });
  }

  /** Runs `n` calls one after another; the error name of each ("ok" when it succeeded). */
  async function outcomes(n: number, call: (i: number) => Promise<unknown>): Promise<string[]> {
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      try {
        await call(i);
        names.push("ok");
      } catch (err) {
        names.push(`${(err as Error).name} ${(err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode}`);
      }
    }
    return names;
  }

  const tally = (names: string[]) => names.reduce<Record<string, number>>((t, n) => ({ ...t, [n]: (t[n] ?? 0) + 1 }), {});

  it("fails about the given share of S3 reads with 500 InternalError, and counts each", async () => {
    const { proxy: p, counts } = await proxy("s3", only({ "s3-get": 0.3 }));
    const client = s3Through(p.endpoint);
    const gets = await outcomes(150, () => client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "object" })));
    // A HEAD response has no body, so (as with real S3) the SDK knows only the status.
    const heads = await outcomes(150, () => client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "object" })));
    client.destroy();
    assert.deepEqual(Object.keys(tally(gets)).sort(), ["InternalError 500", "ok"]);
    assert.deepEqual(Object.keys(tally(heads)).sort(), ["Unknown 500", "ok"]);
    const failed = [...gets, ...heads].filter((n) => n !== "ok").length;
    // 300 draws at 0.3: 90 expected, standard deviation ≈ 8.
    assert.ok(failed >= 60 && failed <= 120, `${failed} of 300 reads failed`);
    assert.equal(counts.get("s3-get"), failed);
    assert.equal(counts.get("s3-put"), 0);
  });

  it("fails S3 writes with 500 InternalError (s3-put), and throttles with 503 SlowDown; reads are not hit by s3-put", async () => {
    const { proxy: p, counts } = await proxy("s3", only({ "s3-put": 0.25, throttle: 0.25 }));
    const client = s3Through(p.endpoint);
    const puts = tally(await outcomes(200, (i) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `put-${i}`, Body: "x" }))));
    const reads = tally(await outcomes(100, () => client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "object" }))));
    client.destroy();
    assert.ok(puts["InternalError 500"] >= 25 && puts["InternalError 500"] <= 75, JSON.stringify(puts));
    assert.ok(puts["SlowDown 503"] >= 15, JSON.stringify(puts));
    assert.equal(reads["InternalError 500"], undefined, JSON.stringify(reads));
    assert.ok(reads["SlowDown 503"] >= 10, JSON.stringify(reads));
    assert.equal(counts.get("s3-put"), puts["InternalError 500"]);
    assert.equal(counts.get("throttle"), puts["SlowDown 503"] + reads["SlowDown 503"]);
  });

  it("fails DynamoDB requests with 500 InternalServerError and throttles with both of DynamoDB's 400 throttling errors; some failed writes did happen", async () => {
    const { proxy: p, counts } = await proxy("dynamodb", only({ dynamodb: 0.2, throttle: 0.2 }));
    const client = dynamoThrough(p.endpoint);
    const names = await outcomes(300, (i) => client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: `item-${i}` } } })));
    const t = tally(names);
    assert.ok(t["InternalServerError 500"] >= 30 && t["InternalServerError 500"] <= 90, JSON.stringify(t));
    assert.ok(t["ThrottlingException 400"] >= 5 && t["ProvisionedThroughputExceededException 400"] >= 5, JSON.stringify(t));
    assert.equal(counts.get("dynamodb"), t["InternalServerError 500"]);
    assert.equal(counts.get("throttle"), t["ThrottlingException 400"] + t["ProvisionedThroughputExceededException 400"]);
    // A share of failures is injected after the server acted: the caller was told it failed, yet the item is there.
    let writtenDespiteError = 0;
    for (const [i, name] of names.entries()) {
      if (name === "ok") continue;
      const { Item } = await emulators.dynamo.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: `item-${i}` } } }));
      if (Item) writtenDespiteError++;
    }
    client.destroy();
    const failed = 300 - t.ok;
    assert.ok(writtenDespiteError > 0 && writtenDespiteError < failed, `${writtenDespiteError} of ${failed} failed writes happened`);
  });

  it("gives the same requests the same faults under the same seed, and other faults under another seed", async () => {
    const spec = only({ "s3-get": 0.2, throttle: 0.2 });
    const runs: string[][] = [];
    for (const seed of [7, 7, 8]) {
      const { proxy: p } = await proxy("s3", spec, seed);
      const client = s3Through(p.endpoint);
      runs.push(await outcomes(120, () => client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "object" }))));
      client.destroy();
    }
    assert.deepEqual(runs[0], runs[1]);
    assert.notDeepEqual(runs[0], runs[2]);
    assert.ok(runs[0].some((n) => n !== "ok"));
  });

  it("makes the same crash, duplicate and order decisions under the same seed", () => {
    const decisions = (seed: number) => {
      const injector = new FaultInjector(parseFaultSpec("crash=0.3,duplicate=0.3,reorder"), seed);
      const made = Array.from({ length: 50 }, () => [injector.crash(), injector.duplicate(), injector.pick(5)]);
      return { made, counts: injector.counts.toJSON() };
    };
    const first = decisions(3);
    assert.deepEqual(decisions(3), first);
    assert.notDeepEqual(decisions(4).made, first.made);
    assert.ok(first.counts.crash > 0 && first.counts.duplicate > 0 && first.counts.reorder > 0, JSON.stringify(first.counts));
    assert.equal(first.made.filter(([crash]) => crash !== undefined).length, first.counts.crash);
  });
});

describe("injected crashes and duplicates", function () {
  this.timeout(60_000);
  let service: LambdaService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  function start(crash: () => number | undefined): Promise<LambdaService> {
    return LambdaService.start({
      functionName: "probe",
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:probe",
      environment: {},
      memoryMb: 512,
      timeoutSeconds: 30,
      concurrency: 2,
      crash,
      build: async (taskRoot) => {
        await esbuild.build({
          entryPoints: [path.join(__dirname, "fixtures", "probeHandler.ts")],
          outfile: path.join(taskRoot, "index.js"),
          bundle: true,
          platform: "node",
          format: "cjs",
          logLevel: "silent",
        });
      },
    });
  }

  it("kills the container mid-invocation; the delivery retries the event as async Lambda does", async () => {
    const plan = [50, undefined];
    service = await start(() => plan.shift());
    const deadLetters = new DeadLetterQueue();
    const delivery = new EventDelivery(service, { functionArn: "arn:probe", maximumRetryAttempts: 2, concurrency: 1, deadLetters });
    const result = await delivery.deliver({ sleepMs: 500 });
    assert.equal(result.attempts.length, 2);
    assert.equal(result.attempts[0].error, CRASH_MESSAGE);
    assert.equal(result.attempts[1].error, undefined);
    assert.ok(result.attempts[1].coldStart, "the crashed container is replaced by a new one");
    assert.equal(deadLetters.messages.length, 0);
  });

  it("dead-letters an event whose every attempt crashed, with the original event, as Lambda's on-failure destination record", async () => {
    service = await start(() => 0);
    const deadLetters = new DeadLetterQueue();
    const delivery = new EventDelivery(service, { functionArn: "arn:probe", maximumRetryAttempts: 2, concurrency: 1, deadLetters });
    const event = { sleepMs: 300, print: "hello" };
    const result = await delivery.deliver(event);
    assert.equal(result.attempts.length, 3);
    assert.ok(result.deadLettered);
    assert.equal(deadLetters.messages.length, 1);
    const [message] = deadLetters.messages;
    assert.deepEqual(message.requestPayload, event);
    assert.equal(message.requestContext.condition, "RetriesExhausted");
    assert.equal(message.requestContext.approximateInvokeCount, 3);
    assert.deepEqual(message.responsePayload, {
      errorType: "Runtime.ExitError",
      errorMessage: CRASH_MESSAGE.slice("Runtime.ExitError: ".length),
    });
  });

  it("delivers a duplicated event twice and reports the first; drain() waits for both", async () => {
    service = await start(() => undefined);
    const seen: boolean[] = [];
    // The first event keeps the one container busy while the second and its duplicate queue up.
    let events = 0;
    const duplicateFirst = { duplicate: () => events++ === 1, pick: (queued: number) => queued - 1 };
    const delivery = new EventDelivery(service, {
      functionArn: "arn:probe",
      maximumRetryAttempts: 0,
      concurrency: 1,
      deadLetters: new DeadLetterQueue(),
      faults: duplicateFirst,
      onDelivered: (d) => seen.push(d.duplicate),
    });
    const blocker = delivery.deliver({ sleepMs: 200 });
    const result = await delivery.deliver({ sleepMs: 50 });
    await blocker;
    await delivery.drain();
    assert.equal(result.duplicate, false);
    // pick() took the newest queued first: the duplicate overtook the original.
    assert.deepEqual(seen, [false, true, false]);
  });
});
