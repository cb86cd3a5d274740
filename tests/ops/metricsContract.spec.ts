/**
 * THE contract between the function and what watches it. For each stack, the function's real
 * code (handler, Powertools Metrics and Logger as the function builds them) runs with the
 * environment variables the stack gives the function, against S3 and DynamoDB on loopback,
 * on a good upload, a corrupt one and one whose read fails transiently. Its stdout is parsed:
 * every custom-metric alarm and dashboard metric of the stack must match an emitted metric in
 * namespace, name and the whole dimension set (Powertools adds `service`; a watcher that
 * misses one dimension receives nothing and an alarm on it never fires). The log lines must
 * carry the fields the dashboard's failures query reads, and `npm run failures` must find the
 * FAILED record the function wrote.
 */
import { strict as assert } from "assert";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Jimp } from "jimp";
import { startEmulators, s3ClientFor, dynamoClientFor, type Emulators } from "../../local/emulators";
import { STACKS, ofType, stackRun } from "../helpers/program";
import { EnvVar } from "../../contract/environment";
import { Dimension, METRICS_NAMESPACE, MetricName, REASON_DIMENSIONS, SERVICE_NAME } from "../../contract/metrics";
import { readConfig } from "../../function/src/config";
import { createHandler } from "../../function/src/handler";
import { createLogger, createMetrics, PipelineMetrics } from "../../function/src/observability";
import { encodeS3EventKey } from "../../contract/s3EventKey";
import { FailureReason } from "../../contract/failureReasons";
import { FailureLogFields } from "../../infra/monitoring/dashboard";
import { listFailures } from "../../tools/ops/failures";
import { parseEmf, type EmfDatapoint } from "../../local/emf";
import { captureOutput, findEmitted, type WatchedMetric } from "./support/emf";
import { metricsOfDashboard, parseSearchExpression } from "./support/dashboardMetrics";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { metadataTableDefinition } from "../../local/provision";

const GOOD = "photos/holiday 1.png";
const CORRUPT = "photos/not-really.jpg";
const FLAKY = "photos/flaky.png";
/** Uploaded twice: the second upload replaces the first. */
const AGAIN = "photos/again.png";

interface Observed {
  environment: string;
  tableName: string;
  emitted: EmfDatapoint[];
  logs: Record<string, any>[];
  invocationError?: Error;
}

/** Runs `body` with the given environment variables set, restoring the previous values. */
async function withEnvironment<T>(variables: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const previous: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(variables)) {
    previous[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    return await body();
  } finally {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function s3Record(bucket: string, key: string, size: number, eTag: string, sequencer: string) {
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    eventName: "ObjectCreated:Put",
    eventTime: "2026-11-27T04:00:00.000Z",
    s3: { bucket: { name: bucket }, object: { key: encodeS3EventKey(key), size, eTag, sequencer } },
  };
}

function customAlarms(run: Awaited<ReturnType<typeof stackRun>>): { name: string; watched: WatchedMetric }[] {
  const dimensionMap = (dimensions: { name: string; value: string }[]) => Object.fromEntries(dimensions.map((d) => [d.name, d.value]));
  return ofType(run, "aws-native:cloudwatch:Alarm").flatMap((a) => {
    // A single-metric alarm names its metric; a metric math alarm (no-images-processed) holds
    // its metrics in `metrics`, and each of ours in the function's namespace must be emitted too.
    const single =
      a.inputs.namespace === METRICS_NAMESPACE
        ? [{ namespace: a.inputs.namespace, metricName: a.inputs.metricName, dimensions: a.inputs.dimensions }]
        : [];
    const queried = (
      (a.inputs.metrics ?? []) as {
        metricStat?: { metric: { namespace: string; metricName: string; dimensions: { name: string; value: string }[] } };
      }[]
    )
      .map((q) => q.metricStat?.metric)
      .filter((m): m is NonNullable<typeof m> => m?.namespace === METRICS_NAMESPACE);
    return [...single, ...queried].map((m) => ({
      name: a.inputs.alarmName,
      watched: { namespace: m.namespace, metricName: m.metricName, dimensions: dimensionMap(m.dimensions) },
    }));
  });
}

describe("the function's metrics and logs, and the alarms and dashboard that read them", function () {
  let emulators: Emulators;
  const observed = new Map<string, Observed>();

  before(async function () {
    emulators = await startEmulators();
    for (const stack of STACKS) {
      const run = await stackRun(stack);
      const [fn] = ofType(run, "aws-native:lambda:Function");
      const variables = fn.inputs.environment.variables as Record<string, string>;
      const sourceBucket = variables[EnvVar.SourceBucket];
      const tableName = variables[EnvVar.MetadataTable];
      await emulators.s3.send(new CreateBucketCommand({ Bucket: sourceBucket }));
      await emulators.s3.send(new CreateBucketCommand({ Bucket: variables[EnvVar.ThumbnailBucket] }));
      await emulators.dynamo.send(new CreateTableCommand(metadataTableDefinition(tableName)));

      const png = await new Jimp({ width: 64, height: 48, color: 0x3366ccff }).getBuffer("image/png");
      const garbage = Buffer.from("this is not a JPEG, whatever its name says");
      const put = async (key: string, body: Buffer, sequencer: string) => {
        const { ETag } = await emulators.s3.send(new PutObjectCommand({ Bucket: sourceBucket, Key: key, Body: body }));
        return s3Record(sourceBucket, key, body.length, String(ETag).replace(/"/g, ""), sequencer);
      };
      // GOOD succeeds and is then deleted; AGAIN is replaced by its second upload.
      const removal = { ...s3Record(sourceBucket, GOOD, 0, "", "0A06"), eventName: "ObjectRemoved:Delete" };
      const event = {
        Records: [
          await put(GOOD, png, "0A01"),
          await put(CORRUPT, garbage, "0A02"),
          await put(FLAKY, png, "0A03"),
          await put(AGAIN, png, "0A04"),
          await put(AGAIN, png, "0A05"),
          removal,
        ],
      };

      // The function's S3 client, with the read of FLAKY failing as a throttled S3 would.
      const s3 = s3ClientFor(emulators.s3Endpoint);
      s3.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === "GetObjectCommand" && (args.input as { Key?: string }).Key === FLAKY) {
            throw Object.assign(new Error("Please reduce your request rate."), { name: "SlowDown", $metadata: { httpStatusCode: 503 } });
          }
          return next(args);
        },
        { step: "initialize", name: "throttleOneKey" },
      );
      const dynamo = dynamoClientFor(emulators.dynamoEndpoint);
      let invocationError: Error | undefined;
      try {
        // Powertools reads its settings from the environment when created: create everything
        // inside the stack's environment, as Lambda would.
        const { lines } = await withEnvironment(variables, () =>
          captureOutput(async () => {
            const config = readConfig(process.env);
            const handle = createHandler({
              config,
              s3,
              dynamo,
              logger: createLogger(),
              metrics: new PipelineMetrics(createMetrics(config.environment)),
            });
            try {
              await handle(event, { awsRequestId: `req-${stack}`, functionName: fn.inputs.functionName });
            } catch (err) {
              invocationError = err as Error;
            }
          }),
        );
        const logs = lines.flatMap((l) => {
          try {
            const parsed = JSON.parse(l);
            return parsed && typeof parsed === "object" && !parsed._aws ? [parsed] : [];
          } catch {
            return [];
          }
        });
        observed.set(stack, {
          environment: variables[EnvVar.Environment],
          tableName,
          emitted: parseEmf(lines.join("\n"), { strict: true }),
          logs,
          invocationError,
        });
      } finally {
        s3.destroy();
        dynamo.destroy();
      }
    }
  });
  after(async () => {
    await emulators?.close();
  });

  for (const stack of STACKS) {
    describe(`stack ${stack}`, () => {
      it("runs the function as the scenario intends: successes, a replacement, a delete, one permanent failure, one transient failure that throws", () => {
        const o = observed.get(stack)!;
        assert.ok(o.invocationError, "the transient failure makes the invocation throw, so Lambda retries");
        assert.match(o.invocationError.message, /1 of 6 records failed transiently/);
        const names = new Set(o.emitted.map((e) => e.name));
        for (const name of Object.values(MetricName)) assert.ok(names.has(name), `the function emitted ${name}`);
      });

      it("emits its metrics with the stack's environment and Powertools' service dimension", () => {
        const o = observed.get(stack)!;
        for (const e of o.emitted.filter((m) => m.namespace === METRICS_NAMESPACE)) {
          assert.equal(e.dimensions[Dimension.Environment], o.environment, JSON.stringify(e));
          assert.equal(e.dimensions[Dimension.Service], SERVICE_NAME, JSON.stringify(e));
        }
        assert.ok(
          o.emitted.every((m) => m.namespace === METRICS_NAMESPACE),
          "one namespace",
        );
      });

      it("has custom-metric alarms, and each watches a metric the function emits, in namespace, name and whole dimension set", async () => {
        const run = await stackRun(stack);
        const alarms = customAlarms(run);
        const expected = [MetricName.ImagesFailed, ...(stack === "prod" ? [MetricName.ImagesProcessed] : [])];
        assert.deepEqual(alarms.map((a) => a.watched.metricName).sort(), [...expected].sort());
        for (const alarm of alarms) {
          const match = findEmitted(observed.get(stack)!.emitted, alarm.watched);
          assert.ok(match, `alarm ${alarm.name} watches ${JSON.stringify(alarm.watched)}, which the function never emits`);
        }
      });

      it("charts on its dashboard only function metrics the function emits", async () => {
        const run = await stackRun(stack);
        const [dashboard] = ofType(run, "aws-native:cloudwatch:Dashboard");
        const { metrics, expressions } = metricsOfDashboard(JSON.parse(dashboard.inputs.dashboardBody));
        const custom = metrics.filter((m) => m.namespace === METRICS_NAMESPACE);
        assert.ok(custom.length >= Object.keys(MetricName).length);
        for (const m of custom) {
          assert.ok(
            findEmitted(observed.get(stack)!.emitted, m),
            `dashboard widget "${m.widget}" charts ${m.metricName} ${JSON.stringify(m.dimensions)}, which the function never emits`,
          );
        }
        // The per-reason SEARCH asks for exactly the dimension set of the per-reason copy.
        const [search] = expressions.map((e) => parseSearchExpression(e.expression));
        const byReason = observed.get(stack)!.emitted.filter((e) => Dimension.Reason in e.dimensions);
        assert.ok(byReason.length > 0, "the corrupt upload emitted a per-reason ImagesFailed");
        for (const e of byReason) {
          assert.equal(e.name, search.terms.MetricName);
          assert.deepEqual(Object.keys(e.dimensions).sort(), [...search.dimensionNames].sort());
          assert.deepEqual([...search.dimensionNames], [...REASON_DIMENSIONS]);
          assert.equal(e.dimensions[Dimension.Environment], search.terms[Dimension.Environment]);
          assert.ok((Object.values(FailureReason) as string[]).includes(e.dimensions[Dimension.Reason]));
        }
      });

      it("logs failures with the fields the dashboard's failures query reads", () => {
        const { logs } = observed.get(stack)!;
        const permanent = logs.find((l) => l.level === "WARN" && l.reason);
        assert.ok(permanent, `a WARN line with a reason among ${logs.length} log lines`);
        for (const field of FailureLogFields.filter((f) => f !== "operation"))
          assert.ok(field in permanent, `permanent failure line lacks ${field}`);
        assert.equal(permanent.key, CORRUPT);
        const transient = logs.find((l) => l.level === "ERROR" && l.key === FLAKY);
        assert.ok(transient, "an ERROR line for the transient failure");
        for (const field of ["level", "message", "bucket", "key", "operation"])
          assert.ok(field in transient, `transient failure line lacks ${field}`);
      });

      it("leaves a FAILED record that `npm run failures` lists with its reason", async () => {
        const o = observed.get(stack)!;
        const records = await listFailures(DynamoDBDocumentClient.from(emulators.dynamo), {
          tableName: o.tableName,
          since: "2000-01-01T00:00:00.000Z",
          until: "2100-01-01T00:00:00.000Z",
          limit: 10,
        });
        assert.equal(records.length, 1);
        assert.equal(records[0].sourceKey, CORRUPT);
        assert.ok((Object.values(FailureReason) as string[]).includes(records[0].reason), records[0].reason);
        assert.ok(records[0].detail && records[0].detail.length > 0, "the record says what exactly was wrong");
      });
    });
  }

  it("would catch an alarm that omits Powertools' service dimension (the check can fail)", () => {
    const emitted = observed.get("dev")!.emitted;
    const withAll = {
      namespace: METRICS_NAMESPACE,
      metricName: MetricName.ImagesFailed,
      dimensions: { service: SERVICE_NAME, Environment: "dev" },
    };
    assert.ok(findEmitted(emitted, withAll));
    assert.equal(findEmitted(emitted, { ...withAll, dimensions: { Environment: "dev" } }), undefined);
    assert.equal(findEmitted(emitted, { ...withAll, dimensions: { ...withAll.dimensions, Environment: "prod" } }), undefined);
    assert.equal(findEmitted(emitted, { ...withAll, namespace: "Thumbnails" }), undefined);
  });
});
