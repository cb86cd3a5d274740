/**
 * Monitoring in the whole program, for both stacks, under Pulumi mocks (the shared harness):
 * every alarm's metric, dimensions, statistic, threshold, period and actions; the alarm topic;
 * the dashboard's body; the outputs the operator commands read; dev/prod differences.
 * Whether the function really emits the custom metrics is checked in metricsContract.spec.ts.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { one, ofType, runWith, STACKS, stackRun, type ProgramRun, type RegisteredResource } from "../helpers/program";
import { METRICS_NAMESPACE, MetricName, SERVICE_NAME } from "../../contract/metrics";
import { metricsOfDashboard } from "./support/dashboardMetrics";
import { CLOUDFRONT_METRICS_REGION } from "../../infra/monitoring/dashboard";
import { main as failuresMain } from "../../tools/ops/failures";
import { StackOutput } from "../../tools/ops/stackOutputs";

const PROJECT = "thumbnail-pipeline";

function configValue(run: ProgramRun, key: string): string | undefined {
  return run.config[`${PROJECT}:${key}`];
}

function alarmNamed(run: ProgramRun, purpose: string): RegisteredResource {
  const environment = configValue(run, "environment");
  const name = `${PROJECT}-${environment}-${purpose}`;
  const found = ofType(run, "aws-native:cloudwatch:Alarm").filter((a) => a.inputs.alarmName === name);
  assert.equal(found.length, 1, `one alarm named ${name}`);
  return found[0];
}

/** The alarm's metric settings, in the shape the expectations below are written in. */
function settings(alarm: RegisteredResource) {
  const i = alarm.inputs;
  return {
    namespace: i.namespace,
    metricName: i.metricName,
    dimensions: Object.fromEntries((i.dimensions ?? []).map((d: { name: string; value: string }) => [d.name, d.value])),
    statistic: i.statistic ?? i.extendedStatistic,
    comparison: `${i.comparisonOperator} ${i.threshold}`,
    period: i.period,
    evaluation: `${i.datapointsToAlarm ?? i.evaluationPeriods} of ${i.evaluationPeriods}`,
    missingData: i.treatMissingData,
  };
}

describe("operations in the stack (monitoring under mocks)", () => {
  for (const stack of STACKS) {
    describe(`stack ${stack}`, () => {
      let run: ProgramRun;
      let fn: RegisteredResource;
      let queue: RegisteredResource;
      let topic: RegisteredResource;
      before(async () => {
        run = await stackRun(stack);
        fn = one(run, "aws-native:lambda:Function");
        queue = one(run, "aws-native:sqs:Queue");
        topic = one(run, "aws-native:sns:Topic");
      });

      it("alarms on function errors: Errors Sum ≥ 1 in 2 of 3 five-minute periods", () => {
        assert.deepEqual(settings(alarmNamed(run, "function-errors")), {
          namespace: "AWS/Lambda",
          metricName: "Errors",
          dimensions: { FunctionName: fn.state.functionName },
          statistic: "Sum",
          comparison: "GreaterThanOrEqualToThreshold 1",
          period: 300,
          evaluation: "2 of 3",
          missingData: "notBreaching",
        });
      });

      it("alarms on throttles: Throttles Sum ≥ 1 in 2 of 3 five-minute periods", () => {
        assert.deepEqual(settings(alarmNamed(run, "function-throttles")), {
          namespace: "AWS/Lambda",
          metricName: "Throttles",
          dimensions: { FunctionName: fn.state.functionName },
          statistic: "Sum",
          comparison: "GreaterThanOrEqualToThreshold 1",
          period: 300,
          evaluation: "2 of 3",
          missingData: "notBreaching",
        });
      });

      it("alarms when p95 duration passes 80% of the function's timeout", () => {
        assert.equal(fn.inputs.timeout, Number(configValue(run, "functionTimeoutSeconds")));
        assert.deepEqual(settings(alarmNamed(run, "function-duration-near-timeout")), {
          namespace: "AWS/Lambda",
          metricName: "Duration",
          dimensions: { FunctionName: fn.state.functionName },
          statistic: "p95",
          comparison: `GreaterThanThreshold ${fn.inputs.timeout * 1000 * 0.8}`,
          period: 300,
          evaluation: "2 of 3",
          missingData: "notBreaching",
        });
        assert.equal(alarmNamed(run, "function-duration-near-timeout").inputs.statistic, undefined);
      });

      it("alarms when a failed event could not be delivered to the dead-letter queue (an upload lost)", () => {
        assert.deepEqual(settings(alarmNamed(run, "failed-events-not-dead-lettered")), {
          namespace: "AWS/Lambda",
          metricName: "DestinationDeliveryFailures",
          dimensions: { FunctionName: fn.state.functionName },
          statistic: "Sum",
          comparison: "GreaterThanOrEqualToThreshold 1",
          period: 300,
          evaluation: "1 of 1",
          missingData: "notBreaching",
        });
      });

      it("alarms while messages wait in this stack's dead-letter queue", () => {
        assert.deepEqual(settings(alarmNamed(run, "dead-letter-queue-not-empty")), {
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: queue.state.queueName },
          statistic: "Maximum",
          comparison: "GreaterThanOrEqualToThreshold 1",
          period: 300,
          evaluation: "1 of 1",
          missingData: "ignore",
        });
      });

      it("alarms when more images fail than failedImagesAlarmThreshold per five minutes, on the function's own metric", () => {
        assert.deepEqual(settings(alarmNamed(run, "images-failed")), {
          namespace: METRICS_NAMESPACE,
          metricName: MetricName.ImagesFailed,
          dimensions: { service: SERVICE_NAME, Environment: fn.inputs.environment.variables.ENVIRONMENT },
          statistic: "Sum",
          comparison: `GreaterThanThreshold ${Number(configValue(run, "failedImagesAlarmThreshold"))}`,
          period: 300,
          evaluation: "1 of 1",
          missingData: "notBreaching",
        });
      });

      it("sends every alarm's ALARM and OK notifications to the stack's alarm topic, nothing else", () => {
        const alarms = ofType(run, "aws-native:cloudwatch:Alarm");
        assert.ok(alarms.length >= 6);
        for (const a of alarms) {
          assert.deepEqual(a.inputs.alarmActions, [topic.state.topicArn], a.inputs.alarmName);
          assert.deepEqual(a.inputs.okActions, [topic.state.topicArn], a.inputs.alarmName);
          assert.equal(a.inputs.insufficientDataActions, undefined);
          assert.notEqual(a.inputs.actionsEnabled, false);
        }
      });

      it("lets exactly its alarms publish: every alarm ARN matches the topic's and the key's aws:SourceArn pattern", () => {
        const key = one(run, "aws-native:kms:Key");
        assert.equal(topic.inputs.kmsMasterKeyId, key.state.arn);
        const policy = one(run, "aws-native:sns:TopicPolicy");
        const allow = policy.inputs.policyDocument.Statement.find((s: any) => s.Effect === "Allow");
        const keyGrant = key.inputs.keyPolicy.Statement.find((s: any) => s.Principal?.Service === "cloudwatch.amazonaws.com");
        for (const pattern of [allow.Condition.ArnLike["aws:SourceArn"], keyGrant.Condition.ArnLike["aws:SourceArn"]]) {
          const re = new RegExp(
            `^${pattern
              .split("*")
              .map((p: string) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
              .join(".*")}$`,
          );
          for (const a of ofType(run, "aws-native:cloudwatch:Alarm")) assert.match(a.state.arn, re);
          assert.doesNotMatch(`arn:aws:cloudwatch:us-east-1:123456789012:alarm:someone-else`, re);
        }
      });

      it("tags the monitoring resources like every other resource of the stack", () => {
        for (const type of [
          "aws-native:kms:Key",
          "aws-native:sns:Topic",
          "aws-native:cloudwatch:Alarm",
          "aws-native:cloudwatch:Dashboard",
        ]) {
          for (const r of ofType(run, type)) {
            const tags = Object.fromEntries((r.inputs.tags as { key: string; value: string }[]).map((t) => [t.key, t.value]));
            assert.equal(tags.Project, PROJECT, r.name);
            assert.equal(tags.Environment, stack, r.name);
            assert.equal(tags.ManagedBy, "pulumi", r.name);
          }
        }
      });

      it("has a dashboard whose every metric is the function's, this function's AWS/Lambda, this queue's AWS/SQS or this CDN's AWS/CloudFront", () => {
        const dashboard = one(run, "aws-native:cloudwatch:Dashboard");
        const body = JSON.parse(dashboard.inputs.dashboardBody);
        const { metrics } = metricsOfDashboard(body);
        const region = run.config["aws-native:region"];
        const namespaces = new Set<string>();
        const cdn = ofType(run, "aws-native:cloudfront:Distribution");
        for (const m of metrics) {
          namespaces.add(m.namespace);
          if (m.namespace === "AWS/CloudFront") {
            // CloudFront's metrics live in us-east-1 only, whatever the stack's region.
            assert.equal(m.region, CLOUDFRONT_METRICS_REGION, `${m.widget}: ${m.metricName}`);
            assert.deepEqual(m.dimensions, { DistributionId: cdn[0].state.awsId, Region: "Global" });
            continue;
          }
          assert.equal(m.region, region, `${m.widget}: ${m.metricName}`);
          if (m.namespace === "AWS/Lambda") assert.deepEqual(m.dimensions, { FunctionName: fn.state.functionName });
          else if (m.namespace === "AWS/SQS") assert.deepEqual(m.dimensions, { QueueName: queue.state.queueName });
          else {
            assert.equal(m.namespace, METRICS_NAMESPACE);
            assert.ok((Object.values(MetricName) as string[]).includes(m.metricName), m.metricName);
            assert.deepEqual(m.dimensions, { service: SERVICE_NAME, Environment: stack });
          }
        }
        assert.deepEqual(
          [...namespaces].sort(),
          ["AWS/Lambda", "AWS/SQS", METRICS_NAMESPACE, ...(cdn.length > 0 ? ["AWS/CloudFront"] : [])].sort(),
        );
        for (const [metric, stats] of [
          ["Invocations", ["Sum"]],
          ["Errors", ["Sum"]],
          ["Throttles", ["Sum"]],
          ["Duration", ["p50", "p95", "Maximum"]],
        ] as const) {
          const found = metrics.filter((m) => m.namespace === "AWS/Lambda" && m.metricName === metric).map((m) => m.stat);
          assert.deepEqual(found, [...stats], metric);
        }
        const logGroup = one(run, "aws-native:logs:LogGroup");
        const [log] = body.widgets.filter((w: any) => w.type === "log");
        assert.ok(log.properties.query.startsWith(`SOURCE '${logGroup.inputs.logGroupName}' |`));
        const [alarmsWidget] = body.widgets.filter((w: any) => w.type === "alarm");
        assert.deepEqual(
          [...alarmsWidget.properties.alarms].sort(),
          ofType(run, "aws-native:cloudwatch:Alarm")
            .map((a) => a.state.arn)
            .sort(),
        );
      });

      it("exports the alarm topic, the dead-letter queue and the dashboard", () => {
        const dashboard = one(run, "aws-native:cloudwatch:Dashboard");
        const region = run.config["aws-native:region"];
        assert.equal(run.outputs.alarmTopicArn, topic.state.topicArn);
        assert.equal(run.outputs.deadLetterQueueUrl, queue.state.queueUrl);
        assert.equal(run.outputs.deadLetterQueueArn, queue.state.arn);
        assert.equal(run.outputs.dashboardName, dashboard.inputs.dashboardName);
        assert.equal(
          run.outputs.dashboardUrl,
          `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboard.inputs.dashboardName}`,
        );
      });

      it("exports what the operator commands read, and redrive's queue is the function's on-failure destination", () => {
        for (const name of Object.values(StackOutput)) assert.equal(typeof run.outputs[name], "string", `output ${name}`);
        const invokeConfig = one(run, "aws-native:lambda:EventInvokeConfig");
        assert.equal(invokeConfig.inputs.destinationConfig.onFailure.destination, run.outputs[StackOutput.deadLetterQueueArn]);
        assert.equal(run.outputs[StackOutput.functionName], fn.state.functionName);
        assert.equal(run.outputs[StackOutput.metadataTableName], one(run, "aws-native:dynamodb:Table").state.tableName);
      });

      it("works with `npm run failures -- --outputs <file>` written from its outputs", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-stack-"));
        try {
          const file = path.join(dir, "outputs.json");
          fs.writeFileSync(file, JSON.stringify(run.outputs));
          const lines: string[] = [];
          assert.equal(await failuresMain(["--outputs", file, "--dry-run"], { log: (l) => lines.push(l) }), 0);
          assert.equal(lines[0], `dry run: would query (region ${run.config["aws-native:region"]}):`);
          assert.equal(JSON.parse(lines.slice(1).join("\n")).TableName, run.outputs.metadataTableName);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }

  describe("dev and prod differ where they should", () => {
    it("only prod alarms when its function was invoked and processed nothing for idleAlarmHours, never on quiet hours", async () => {
      const prod = await stackRun("prod");
      const dev = await stackRun("dev");
      assert.equal(
        ofType(dev, "aws-native:cloudwatch:Alarm").find((a) => a.inputs.alarmName.endsWith("no-images-processed")),
        undefined,
      );
      const fn = one(prod, "aws-native:lambda:Function");
      const alarm = alarmNamed(prod, "no-images-processed");
      const hours = Number(configValue(prod, "idleAlarmHours"));
      assert.ok(hours > 0);
      assert.deepEqual([alarm.inputs.evaluationPeriods, alarm.inputs.datapointsToAlarm], [hours, hours]);
      assert.equal(alarm.inputs.treatMissingData, "notBreaching");
      const metric = (id: string) => alarm.inputs.metrics.find((m: { id: string }) => m.id === id).metricStat.metric;
      assert.deepEqual(metric("invocations").dimensions, [{ name: "FunctionName", value: fn.inputs.functionName }]);
      assert.deepEqual(Object.fromEntries(metric("processed").dimensions.map((d: { name: string; value: string }) => [d.name, d.value])), {
        service: SERVICE_NAME,
        Environment: fn.inputs.environment.variables.ENVIRONMENT,
      });
    });

    it("names alarms, topic and dashboard per environment, so both stacks can share an account", async () => {
      const names = async (stack: "dev" | "prod") => {
        const run = await stackRun(stack);
        return [
          ...ofType(run, "aws-native:cloudwatch:Alarm").map((a) => a.inputs.alarmName),
          one(run, "aws-native:sns:Topic").inputs.topicName,
          one(run, "aws-native:cloudwatch:Dashboard").inputs.dashboardName,
        ];
      };
      const dev = await names("dev");
      const prod = await names("prod");
      assert.deepEqual(
        dev.filter((n) => prod.includes(n)),
        [],
      );
      assert.ok(dev.every((n) => n.startsWith(`${PROJECT}-dev-`)));
      assert.ok(prod.every((n) => n.startsWith(`${PROJECT}-prod-`)));
    });

    it("subscribes alarmEmail to the topic only when it is set", async () => {
      for (const stack of STACKS) assert.equal(ofType(await stackRun(stack), "aws-native:sns:Subscription").length, 0);
      const withEmail = await runWith({ stack: "prod", config: { alarmEmail: "oncall@example.com" } });
      const [sub] = ofType(withEmail, "aws-native:sns:Subscription");
      assert.equal(sub.inputs.protocol, "email");
      assert.equal(sub.inputs.endpoint, "oncall@example.com");
      assert.equal(sub.inputs.topicArn, one(withEmail, "aws-native:sns:Topic").state.topicArn);
    });
  });
});
