/**
 * The stack's CloudWatch dashboard. Its body is built here from the function's metrics
 * contract and the stack's resource names (never a hand-written JSON string), so a renamed
 * metric or dimension changes the dashboard with it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws_native from "@pulumi/aws-native";
import {
  Dimension,
  METRICS_NAMESPACE,
  MetricName,
  REASON_DIMENSIONS,
  STANDARD_DIMENSIONS,
  standardDimensionValues,
} from "../../contract/metrics";

/** Everything the body depends on, resolved. */
export interface DashboardBodyParams {
  region: string;
  environment: string;
  functionName: string;
  logGroupName: string;
  deadLetterQueueName: string;
  functionTimeoutSeconds: number;
  /** Shown in an alarm-status widget; omitted when empty. */
  alarmArns: string[];
  /** The thumbnail CDN's distribution, when there is one: its error rates are charted. */
  distributionId?: string;
}

/** CloudFront publishes its metrics in us-east-1 only, with Region=Global, whatever the stack's region. */
export const CLOUDFRONT_METRICS_REGION = "us-east-1";

/**
 * One entry of a metric widget's `metrics`: [namespace, name, dim1, value1, ..., options]
 * or a math/search expression.
 */
export type DashboardMetric = (string | Record<string, unknown>)[] | [Record<string, unknown>];

export interface DashboardWidget {
  type: "metric" | "log" | "text" | "alarm";
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

export interface DashboardBody {
  start: string;
  periodOverride: "auto" | "inherit";
  widgets: DashboardWidget[];
}

const PERIOD = 300;
const GRID_WIDTH = 24;

/**
 * Fields of the function's JSON log lines (Powertools Logger) that the failures query reads. A
 * permanent failure is a WARN line with `reason`; a transient one an ERROR line with
 * `operation` and `error`; tests/ops check real log lines of the function carry them.
 */
export const FailureLogFields = ["level", "message", "reason", "bucket", "key", "imageId", "operation"] as const;

/**
 * Fields of the record Lambda writes at the end of every invocation in JSON log format
 * (`"type": "platform.report"`), which the failures query also reads: its status is "success",
 * "error", "failure" or "timeout" (Lambda Telemetry API, platform.report). Lambda sends it at
 * system log level INFO ("By default, Lambda sets the system log level to INFO. With this
 * setting, Lambda automatically sends 'start' and 'report' log messages", Lambda developer
 * guide, Log-level filtering): with systemLogLevel WARN there is none, so the function keeps
 * INFO (thumbnailFunction.ts, FUNCTION_SYSTEM_LOG_LEVEL).
 */
export const PlatformReportFields = [
  "record.status",
  "record.errorType",
  "record.metrics.durationMs",
  "record.metrics.maxMemoryUsedMB",
  "record.requestId",
] as const;

/** Logs Insights query over the function's log group: the latest failures, newest first. */
export function recentFailuresQuery(logGroupName: string): string {
  return [
    `SOURCE '${logGroupName}'`,
    `fields @timestamp, ${FailureLogFields.join(", ")}, error.message, ${PlatformReportFields.join(", ")}`,
    // WARN and ERROR are the function's failures; the platform report catches what the function
    // cannot log itself (timeouts, out-of-memory crashes).
    `filter level in ["WARN", "ERROR"] or (type = "platform.report" and record.status != "success")`,
    `sort @timestamp desc`,
    `limit 100`,
  ].join(" | ");
}

/** The dashboard body for one stack, as an object (JSON.stringify it for CloudWatch). */
export function dashboardBody(p: DashboardBodyParams): DashboardBody {
  const lambda = (metric: string, options: Record<string, unknown>): DashboardMetric => [
    "AWS/Lambda",
    metric,
    "FunctionName",
    p.functionName,
    options,
  ];
  const queue = (metric: string, options: Record<string, unknown>): DashboardMetric => [
    "AWS/SQS",
    metric,
    "QueueName",
    p.deadLetterQueueName,
    options,
  ];
  const dims = standardDimensionValues(p.environment);
  const custom = (metric: MetricName, options: Record<string, unknown>): DashboardMetric => [
    METRICS_NAMESPACE,
    metric,
    ...STANDARD_DIMENSIONS.flatMap((d) => [d, dims[d]]),
    options,
  ];
  // Failure reasons are open-ended, so the per-reason series are found by a SEARCH on the
  // exact dimension set the function emits them with.
  const byReasonSearch =
    `SEARCH('{${METRICS_NAMESPACE},${REASON_DIMENSIONS.join(",")}} ` +
    `MetricName="${MetricName.ImagesFailed}" ${Dimension.Environment}="${p.environment}"', 'Sum', ${PERIOD})`;

  const metricWidget = (
    title: string,
    metrics: DashboardMetric[],
    extra: Record<string, unknown> = {},
  ): Omit<DashboardWidget, "x" | "y"> => ({
    type: "metric",
    width: 12,
    height: 6,
    properties: { title, region: p.region, view: "timeSeries", stacked: false, period: PERIOD, metrics, ...extra },
  });

  const widgets: Omit<DashboardWidget, "x" | "y">[] = [
    {
      type: "text",
      width: GRID_WIDTH,
      height: 2,
      properties: {
        markdown:
          `## Thumbnail pipeline (${p.environment})\n` +
          `Function \`${p.functionName}\` · dead-letter queue \`${p.deadLetterQueueName}\` · ` +
          "what each alarm means and what to do: README, section *Operating it*.",
      },
    },
    metricWidget("Invocations, errors, throttles", [
      lambda("Invocations", { stat: "Sum", label: "Invocations" }),
      lambda("Errors", { stat: "Sum", label: "Errors", color: "#d62728" }),
      lambda("Throttles", { stat: "Sum", label: "Throttles", color: "#ff7f0e" }),
    ]),
    metricWidget(
      "Duration (ms)",
      [
        lambda("Duration", { stat: "p50", label: "p50" }),
        lambda("Duration", { stat: "p95", label: "p95" }),
        lambda("Duration", { stat: "Maximum", label: "max" }),
      ],
      {
        annotations: {
          horizontal: [{ label: "timeout", value: p.functionTimeoutSeconds * 1000, color: "#d62728" }],
        },
      },
    ),
    metricWidget("Images processed and failed", [
      custom(MetricName.ImagesProcessed, { stat: "Sum", label: "processed", color: "#2ca02c" }),
      custom(MetricName.ImagesFailed, { stat: "Sum", label: "failed", color: "#d62728" }),
    ]),
    metricWidget("Images deleted and replaced", [
      custom(MetricName.ImagesDeleted, { stat: "Sum", label: "deleted", color: "#7f7f7f" }),
      custom(MetricName.ImagesReplaced, { stat: "Sum", label: "replaced", color: "#1f77b4" }),
    ]),
    metricWidget("Images failed by reason", [[{ expression: byReasonSearch, id: "byReason", label: "" }]], {
      stacked: true,
    }),
    metricWidget("Source and thumbnail bytes", [
      custom(MetricName.SourceBytes, { stat: "Sum", label: "source bytes" }),
      custom(MetricName.ThumbnailBytes, { stat: "Sum", label: "thumbnail bytes" }),
    ]),
    metricWidget("Processing duration per image (ms)", [
      custom(MetricName.ProcessingDuration, { stat: "p50", label: "p50" }),
      custom(MetricName.ProcessingDuration, { stat: "p95", label: "p95" }),
      custom(MetricName.ProcessingDuration, { stat: "Maximum", label: "max" }),
    ]),
    metricWidget("Dead-letter queue", [
      queue("ApproximateNumberOfMessagesVisible", { stat: "Maximum", label: "messages waiting" }),
      queue("ApproximateAgeOfOldestMessage", { stat: "Maximum", label: "age of oldest (s)", yAxis: "right" }),
    ]),
    metricWidget("Asynchronous events", [
      lambda("AsyncEventAge", { stat: "Maximum", label: "oldest event age (ms)" }),
      lambda("AsyncEventsDropped", { stat: "Sum", label: "dropped (sent to the dead-letter queue)", yAxis: "right" }),
      lambda("DestinationDeliveryFailures", {
        stat: "Sum",
        label: "not delivered to the dead-letter queue",
        color: "#d62728",
        yAxis: "right",
      }),
    ]),
    metricWidget("Concurrency", [lambda("ConcurrentExecutions", { stat: "Maximum", label: "concurrent executions" })]),
  ];
  if (p.distributionId) {
    const cdn = (metric: string, options: Record<string, unknown>): DashboardMetric => [
      "AWS/CloudFront",
      metric,
      "DistributionId",
      p.distributionId!,
      "Region",
      "Global",
      options,
    ];
    const widget = metricWidget("Thumbnail CDN error rates (%)", [
      cdn("5xxErrorRate", { stat: "Average", label: "5xx", color: "#d62728" }),
      cdn("4xxErrorRate", { stat: "Average", label: "4xx (e.g. a deleted thumbnail)", color: "#ff7f0e" }),
    ]);
    widgets.push({ ...widget, properties: { ...widget.properties, region: CLOUDFRONT_METRICS_REGION } });
  }
  if (p.alarmArns.length > 0) {
    widgets.push({ type: "alarm", width: GRID_WIDTH, height: 3, properties: { title: "Alarms", alarms: p.alarmArns } });
  }
  widgets.push({
    type: "log",
    width: GRID_WIDTH,
    height: 8,
    properties: {
      title: "Recent failures (FAILED records and errors)",
      region: p.region,
      view: "table",
      query: recentFailuresQuery(p.logGroupName),
    },
  });

  return { start: "-PT24H", periodOverride: "auto", widgets: layOut(widgets) };
}

/** Places widgets left to right, wrapping at the grid's 24 columns. */
function layOut(widgets: Omit<DashboardWidget, "x" | "y">[]): DashboardWidget[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return widgets.map((w) => {
    if (x + w.width > GRID_WIDTH) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const placed = { ...w, x, y };
    x += w.width;
    rowHeight = Math.max(rowHeight, w.height);
    return placed;
  });
}

/** The console address of a dashboard. */
export function dashboardConsoleUrl(region: string, dashboardName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(dashboardName)}`;
}

export interface DashboardArgs {
  /** Physical dashboard name: letters, digits, "-" and "_", at most 255 characters. */
  dashboardName: string;
  region: pulumi.Input<string>;
  environment: string;
  functionName: pulumi.Input<string>;
  logGroupName: pulumi.Input<string>;
  deadLetterQueueName: pulumi.Input<string>;
  functionTimeoutSeconds: number;
  alarmArns?: pulumi.Input<pulumi.Input<string>[]>;
  distributionId?: pulumi.Input<string>;
  tags?: pulumi.Input<pulumi.Input<aws_native.types.input.TagArgs>[]>;
}

export class Dashboard extends pulumi.ComponentResource {
  public readonly dashboard: aws_native.cloudwatch.Dashboard;
  public readonly dashboardName: pulumi.Output<string>;
  public readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: DashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("thumbnails:monitoring:Dashboard", name, {}, opts);

    if (!/^[A-Za-z0-9_-]{1,255}$/.test(args.dashboardName)) {
      throw new Error(
        `dashboardName: "${args.dashboardName}" is not allowed; CloudWatch dashboard names are 1-255 letters, digits, "-" or "_"`,
      );
    }

    const body = pulumi
      .all([args.region, args.functionName, args.logGroupName, args.deadLetterQueueName, args.alarmArns ?? [], args.distributionId ?? ""])
      .apply(([region, functionName, logGroupName, deadLetterQueueName, alarmArns, distributionId]) =>
        JSON.stringify(
          dashboardBody({
            region,
            environment: args.environment,
            functionName,
            logGroupName,
            deadLetterQueueName,
            functionTimeoutSeconds: args.functionTimeoutSeconds,
            alarmArns,
            ...(distributionId ? { distributionId } : {}),
          }),
        ),
      );

    this.dashboard = new aws_native.cloudwatch.Dashboard(
      `${name}-dashboard`,
      { dashboardName: args.dashboardName, dashboardBody: body, tags: args.tags },
      { parent: this },
    );
    this.dashboardName = pulumi.output(args.dashboardName);
    this.dashboardUrl = pulumi.output(args.region).apply((region) => dashboardConsoleUrl(region, args.dashboardName));
    this.registerOutputs({ dashboardName: this.dashboardName, dashboardUrl: this.dashboardUrl });
  }
}
