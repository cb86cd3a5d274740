/**
 * The monitoring components on their own, under Pulumi mocks: what each registers for given
 * arguments. The whole program's alarms and dashboard per stack are in stack.spec.ts.
 */
import { strict as assert } from "assert";
import { AlarmTopic } from "../../infra/monitoring/alarmTopic";
import { AlarmPurpose, Alarms, alarmDefinitions } from "../../infra/monitoring/alarms";
import { Dashboard, dashboardBody, dashboardConsoleUrl, recentFailuresQuery } from "../../infra/monitoring/dashboard";
import { Monitoring } from "../../infra/monitoring/monitoring";
import { METRICS_NAMESPACE, MetricName, REASON_DIMENSIONS, STANDARD_DIMENSIONS, standardDimensionValues } from "../../contract/metrics";
import { MOCK_ACCOUNT, MOCK_REGION, ofType, underMocks, valueOf } from "./support/componentMocks";
import { metricsOfDashboard, parseSearchExpression } from "./support/dashboardMetrics";

const TAGS = [{ key: "Project", value: "thumbnail-pipeline" }];

function statements(policy: any): any[] {
  return policy.Statement;
}

describe("AlarmTopic", () => {
  async function topicWith(alarmEmail?: string) {
    return underMocks(
      () =>
        new AlarmTopic("t", {
          topicName: "thumbnail-pipeline-dev-alarms",
          alarmNamePrefix: "thumbnail-pipeline-dev-",
          accountId: MOCK_ACCOUNT,
          region: MOCK_REGION,
          alarmEmail,
          tags: TAGS,
        }),
      (t) => [t.topicPolicy.urn, t.emailSubscription?.urn ?? t.topicArn],
    );
  }

  it("encrypts the topic with its own KMS key, not the AWS-managed alias/aws/sns CloudWatch cannot use", async () => {
    const { resources } = await topicWith();
    const [key] = ofType(resources, "aws-native:kms:Key");
    const [topic] = ofType(resources, "aws-native:sns:Topic");
    assert.equal(topic.inputs.kmsMasterKeyId, key.state.arn);
    assert.doesNotMatch(String(topic.inputs.kmsMasterKeyId), /alias\/aws\/sns/);
    assert.equal(key.inputs.enableKeyRotation, true);
    assert.deepEqual(topic.inputs.tags, TAGS);
    assert.deepEqual(key.inputs.tags, TAGS);
  });

  it("lets CloudWatch use the key only for this account's alarms whose names carry the stack's prefix", async () => {
    const { resources } = await topicWith();
    const [key] = ofType(resources, "aws-native:kms:Key");
    const cw = statements(key.inputs.keyPolicy).filter((s) => s.Principal?.Service === "cloudwatch.amazonaws.com");
    assert.equal(cw.length, 1);
    assert.deepEqual(cw[0].Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
    assert.deepEqual(cw[0].Condition, {
      StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT },
      ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${MOCK_REGION}:${MOCK_ACCOUNT}:alarm:thumbnail-pipeline-dev-*` },
    });
    const others = statements(key.inputs.keyPolicy).filter((s) => s !== cw[0]);
    assert.deepEqual(
      others.map((s) => s.Principal),
      [{ AWS: `arn:aws:iam::${MOCK_ACCOUNT}:root` }],
      "the only other principal is the account itself (key administration through IAM)",
    );
  });

  it("lets only this stack's alarms publish, and only over TLS", async () => {
    const { resources } = await topicWith();
    const [topic] = ofType(resources, "aws-native:sns:Topic");
    const [policy] = ofType(resources, "aws-native:sns:TopicPolicy");
    assert.deepEqual(policy.inputs.topics, [topic.state.topicArn]);
    const [allow] = statements(policy.inputs.policyDocument).filter((s) => s.Effect === "Allow");
    assert.deepEqual(allow.Principal, { Service: "cloudwatch.amazonaws.com" });
    assert.equal(allow.Action, "sns:Publish");
    assert.equal(allow.Resource, topic.state.topicArn);
    assert.match(allow.Condition.ArnLike["aws:SourceArn"], /:alarm:thumbnail-pipeline-dev-\*$/);
    const [deny] = statements(policy.inputs.policyDocument).filter((s) => s.Effect === "Deny");
    assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
  });

  it("subscribes alarmEmail by e-mail", async () => {
    const { resources } = await topicWith("  ops@example.com ");
    const subs = ofType(resources, "aws-native:sns:Subscription");
    const [topic] = ofType(resources, "aws-native:sns:Topic");
    assert.equal(subs.length, 1);
    assert.equal(subs[0].inputs.protocol, "email");
    assert.equal(subs[0].inputs.endpoint, "ops@example.com");
    assert.equal(subs[0].inputs.topicArn, topic.state.topicArn);
  });

  for (const email of [undefined, "", "   "]) {
    it(`creates no subscription when alarmEmail is ${JSON.stringify(email)}`, async () => {
      const { resources } = await topicWith(email);
      assert.equal(ofType(resources, "aws-native:sns:Subscription").length, 0);
    });
  }
});

describe("Alarms", () => {
  const base = {
    alarmNamePrefix: "thumbnail-pipeline-prod-",
    environment: "prod",
    functionName: "thumbnail-pipeline-prod-thumbnailer",
    functionTimeoutSeconds: 60,
    deadLetterQueueName: "thumbnail-pipeline-prod-thumbnailer-dlq",
    topicArn: "arn:aws:sns:eu-west-1:123456789012:alarms",
    failedImagesThreshold: 5,
  };

  async function alarmsWith(extra: Partial<typeof base> & { idleAlarmHours?: number } = {}) {
    const { built, resources } = await underMocks(
      () => new Alarms("a", { ...base, ...extra, tags: TAGS }),
      (a) => [a.alarmArns],
    );
    return { built, alarms: ofType(resources, "aws-native:cloudwatch:Alarm") };
  }

  it("notifies the topic on ALARM and on OK, and decides missing data explicitly, for every alarm", async () => {
    const { alarms } = await alarmsWith({ idleAlarmHours: 6 });
    assert.equal(alarms.length, Object.keys(AlarmPurpose).length);
    for (const a of alarms) {
      assert.deepEqual(a.inputs.alarmActions, [base.topicArn], a.inputs.alarmName);
      assert.deepEqual(a.inputs.okActions, [base.topicArn], a.inputs.alarmName);
      assert.ok(["notBreaching", "breaching", "ignore", "missing"].includes(a.inputs.treatMissingData), a.inputs.alarmName);
      assert.ok(a.inputs.alarmName.startsWith(base.alarmNamePrefix), `${a.inputs.alarmName} carries the prefix the topic trusts`);
      assert.ok(a.inputs.alarmDescription.length > 20, `${a.inputs.alarmName} says what it means`);
      assert.deepEqual(a.inputs.tags, TAGS);
    }
  });

  it("puts the duration alarm at 80% of the function's timeout, on p95", async () => {
    const defs = alarmDefinitions({ ...base, functionTimeoutSeconds: 30 });
    const d = defs[AlarmPurpose.FunctionDurationNearTimeout]!;
    assert.equal(d.threshold, 24_000);
    assert.equal(d.extendedStatistic, "p95");
    assert.equal(d.statistic, undefined, "CloudWatch refuses Statistic together with ExtendedStatistic");
    assert.equal(d.metricName, "Duration");
    assert.deepEqual(d.dimensions, [{ name: "FunctionName", value: base.functionName }]);
  });

  it("watches ImagesFailed with the namespace, name and dimension set of the metrics contract", async () => {
    const d = alarmDefinitions({ ...base, failedImagesThreshold: 12 })[AlarmPurpose.ImagesFailed]!;
    assert.equal(d.namespace, METRICS_NAMESPACE);
    assert.equal(d.metricName, MetricName.ImagesFailed);
    const values = standardDimensionValues("prod");
    assert.deepEqual(
      d.dimensions,
      STANDARD_DIMENSIONS.map((n) => ({ name: n, value: values[n] })),
    );
    assert.equal(d.threshold, 12);
    assert.equal(d.comparisonOperator, "GreaterThanThreshold");
    assert.equal(d.unit, undefined, "a unit that differs from the emitted one would hide the data");
  });

  it("creates the no-images-processed alarm only when idleAlarmHours is set: invoked yet nothing processed in each of that many hours", async () => {
    assert.equal(alarmDefinitions(base)[AlarmPurpose.NoImagesProcessed], undefined);
    assert.equal(alarmDefinitions({ ...base, idleAlarmHours: 0 })[AlarmPurpose.NoImagesProcessed], undefined);
    const d = alarmDefinitions({ ...base, idleAlarmHours: 6 })[AlarmPurpose.NoImagesProcessed]!;
    const metrics = d.metrics as Array<{
      id: string;
      expression?: string;
      returnData?: boolean;
      metricStat?: { metric: { namespace: string; metricName: string }; period: number; stat: string };
    }>;
    const stat = (id: string) => metrics.find((m) => m.id === id)!.metricStat!;
    assert.deepEqual([stat("invocations").metric.namespace, stat("invocations").metric.metricName], ["AWS/Lambda", "Invocations"]);
    assert.deepEqual(
      [stat("processed").metric.namespace, stat("processed").metric.metricName],
      [METRICS_NAMESPACE, MetricName.ImagesProcessed],
    );
    for (const id of ["invocations", "processed"]) assert.deepEqual([stat(id).period, stat(id).stat], [3600, "Sum"]);
    const returned = metrics.filter((m) => m.returnData !== false);
    assert.deepEqual(
      returned.map((m) => m.expression),
      ["IF(FILL(invocations, 0) > 0 AND FILL(processed, 0) == 0, 1, 0)"],
    );
    assert.equal(d.metricName, undefined, "a metric math alarm names no single metric");
    assert.deepEqual(
      [d.evaluationPeriods, d.datapointsToAlarm, d.comparisonOperator, d.threshold],
      [6, 6, "GreaterThanOrEqualToThreshold", 1],
    );
    assert.equal(d.treatMissingData, "notBreaching", "no data means no uploads, which is not a failure (the first day, quiet days)");
  });

  it("keeps the dead-letter alarm in ALARM through gaps in SQS metrics", () => {
    const d = alarmDefinitions(base)[AlarmPurpose.DeadLetterQueueNotEmpty]!;
    assert.equal(d.namespace, "AWS/SQS");
    assert.deepEqual(d.dimensions, [{ name: "QueueName", value: base.deadLetterQueueName }]);
    assert.equal(d.treatMissingData, "ignore");
    assert.equal(d.threshold, 1);
    assert.equal(d.comparisonOperator, "GreaterThanOrEqualToThreshold");
  });

  it("refuses values CloudWatch or Lambda would refuse, naming the key, the value and the rule", () => {
    assert.throws(() => alarmDefinitions({ ...base, idleAlarmHours: 169 }), /idleAlarmHours: 169 .*0 \(no alarm\) to 168/);
    assert.throws(() => alarmDefinitions({ ...base, idleAlarmHours: 1.5 }), /idleAlarmHours: 1\.5/);
    assert.throws(() => alarmDefinitions({ ...base, failedImagesThreshold: -1 }), /failedImagesAlarmThreshold: -1 .*>= 0/);
    assert.throws(() => alarmDefinitions({ ...base, functionTimeoutSeconds: 0 }), /functionTimeoutSeconds: 0 .*1 to 900/);
  });

  it("exposes every alarm's name and ARN", async () => {
    const { built, alarms } = await alarmsWith();
    assert.deepEqual((await valueOf(built.alarmNames)).sort(), alarms.map((a) => a.inputs.alarmName).sort());
    assert.equal((await valueOf(built.alarmArns)).length, alarms.length);
  });
});

describe("Dashboard body", () => {
  const params = {
    region: "eu-west-1",
    environment: "dev",
    functionName: "fn",
    logGroupName: "/aws/lambda/fn",
    deadLetterQueueName: "dlq",
    functionTimeoutSeconds: 60,
    alarmArns: ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a"],
  };

  it("charts every function metric of the contract on the standard dimensions", () => {
    const { metrics } = metricsOfDashboard(dashboardBody(params));
    const custom = metrics.filter((m) => m.namespace === METRICS_NAMESPACE);
    assert.deepEqual([...new Set(custom.map((m) => m.metricName))].sort(), Object.values(MetricName).sort());
    for (const m of custom) assert.deepEqual(m.dimensions, standardDimensionValues("dev"), m.metricName);
  });

  it("breaks failures down by reason with a SEARCH on the reason dimension set", () => {
    const { expressions } = metricsOfDashboard(dashboardBody(params));
    assert.equal(expressions.length, 1);
    const s = parseSearchExpression(expressions[0].expression);
    assert.equal(s.namespace, METRICS_NAMESPACE);
    assert.deepEqual(s.dimensionNames, [...REASON_DIMENSIONS]);
    assert.deepEqual(s.terms, { MetricName: MetricName.ImagesFailed, Environment: "dev" });
  });

  it("charts Lambda and SQS metrics of this function and queue only, in the stack's region", () => {
    const { metrics } = metricsOfDashboard(dashboardBody(params));
    for (const m of metrics) {
      assert.equal(m.region, "eu-west-1");
      if (m.namespace === "AWS/Lambda") assert.deepEqual(m.dimensions, { FunctionName: "fn" });
      else if (m.namespace === "AWS/SQS") assert.deepEqual(m.dimensions, { QueueName: "dlq" });
      else assert.equal(m.namespace, METRICS_NAMESPACE);
    }
    const durationStats = metrics.filter((m) => m.metricName === "Duration").map((m) => m.stat);
    assert.deepEqual(durationStats, ["p50", "p95", "Maximum"]);
  });

  it("lists recent failures with a Logs Insights query on the function's log group", () => {
    const log = dashboardBody(params).widgets.filter((w) => w.type === "log");
    assert.equal(log.length, 1);
    const query = String(log[0].properties.query);
    assert.match(query, /^SOURCE '\/aws\/lambda\/fn' \|/);
    assert.match(query, /sort @timestamp desc/);
  });

  it("finds timeouts and crashes by Lambda's JSON platform.report record (type, record.status), not by plain-text REPORT lines", () => {
    const query = recentFailuresQuery("/aws/lambda/fn");
    assert.match(query, /type = "platform\.report" and record\.status != "success"/);
    for (const field of ["record.status", "record.errorType", "record.metrics.durationMs", "record.metrics.maxMemoryUsedMB"])
      assert.ok(query.includes(field), `shows ${field}`);
    assert.doesNotMatch(query, /@duration|@maxMemoryUsed/, "plain-text REPORT fields do not exist in JSON log format");
  });

  it("places widgets on the 24-column grid without overlap", () => {
    const widgets = dashboardBody(params).widgets;
    for (const w of widgets) assert.ok(w.x >= 0 && w.x + w.width <= 24, JSON.stringify(w));
    for (const a of widgets)
      for (const b of widgets)
        if (a !== b) {
          const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
          assert.ok(!overlap, `${a.properties.title} overlaps ${b.properties.title}`);
        }
  });

  it("shows the alarms' states when there are alarms", () => {
    const alarm = dashboardBody(params).widgets.find((w) => w.type === "alarm");
    assert.deepEqual(alarm?.properties.alarms, params.alarmArns);
    assert.equal(
      dashboardBody({ ...params, alarmArns: [] }).widgets.find((w) => w.type === "alarm"),
      undefined,
    );
  });

  it("links to the dashboard in the console of its region", () => {
    assert.equal(
      dashboardConsoleUrl("eu-west-1", "thumbnail-pipeline-dev-dashboard"),
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/thumbnail-pipeline-dev-dashboard",
    );
  });

  it("refuses a dashboard name CloudWatch would refuse", async () => {
    await assert.rejects(
      underMocks(() => new Dashboard("d", { ...params, dashboardName: "bad name!" })),
      /dashboardName: "bad name!" .*letters, digits/,
    );
  });
});

describe("Monitoring", () => {
  it("composes topic, alarms and dashboard under one component, with names from the stack's convention", async () => {
    const { built, resources } = await underMocks(
      () =>
        new Monitoring("monitoring", {
          project: "thumbnail-pipeline",
          environment: "dev",
          accountId: MOCK_ACCOUNT,
          region: MOCK_REGION,
          functionName: "thumbnail-pipeline-dev-thumbnailer",
          functionTimeoutSeconds: 60,
          logGroupName: "/aws/lambda/thumbnail-pipeline-dev-thumbnailer",
          deadLetterQueueName: "thumbnail-pipeline-dev-thumbnailer-dlq",
          failedImagesAlarmThreshold: 5,
          tags: TAGS,
        }),
      (m) => [m.dashboard.dashboard.urn, m.alarmTopic.topicPolicy.urn, m.dashboardUrl],
    );
    assert.equal(await valueOf(built.dashboardName), "thumbnail-pipeline-dev-dashboard");
    assert.match(await valueOf(built.dashboardUrl), /#dashboards\/dashboard\/thumbnail-pipeline-dev-dashboard$/);
    assert.equal(await valueOf(built.alarmTopicArn), `arn:aws:sns:${MOCK_REGION}:${MOCK_ACCOUNT}:thumbnail-pipeline-dev-alarms`);
    const [dashboard] = ofType(resources, "aws-native:cloudwatch:Dashboard");
    const body = JSON.parse(dashboard.inputs.dashboardBody);
    const alarmWidget = body.widgets.find((w: any) => w.type === "alarm");
    const alarms = ofType(resources, "aws-native:cloudwatch:Alarm");
    assert.deepEqual(alarmWidget.properties.alarms.sort(), alarms.map((a) => a.state.arn).sort());
    for (const r of resources.filter((r) => r.type.startsWith("aws-native:") && "tags" in r.inputs)) {
      assert.deepEqual(r.inputs.tags, TAGS, r.type);
    }
  });
});
