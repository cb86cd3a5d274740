import { strict as assert } from "assert";
import { MetricTotals, parseEmf } from "../../local/emf";
import { percentile } from "../../local/report";

const emf = (values: Record<string, unknown>, metrics: Array<[string, string]>, dimensions: string[][]) =>
  JSON.stringify({
    _aws: {
      Timestamp: 0,
      CloudWatchMetrics: [
        { Namespace: "ThumbnailPipeline", Dimensions: dimensions, Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })) },
      ],
    },
    ...values,
  });

describe("EMF reading", () => {
  it("reads metrics, units and dimensions from EMF lines and skips other output", () => {
    const output = [
      '{"level":"INFO","message":"processed"}',
      "plain text",
      emf(
        { service: "thumbnailer", Environment: "dev", ImagesProcessed: 2, ProcessingDuration: [10, 30] },
        [
          ["ImagesProcessed", "Count"],
          ["ProcessingDuration", "Milliseconds"],
        ],
        [["service", "Environment"]],
      ),
      emf(
        { service: "thumbnailer", Environment: "dev", Reason: "CorruptImage", ImagesFailed: 1 },
        [["ImagesFailed", "Count"]],
        [["service", "Environment", "Reason"]],
      ),
    ].join("\n");
    const points = parseEmf(output);
    assert.equal(points.length, 3);
    assert.deepEqual(points[1], {
      namespace: "ThumbnailPipeline",
      name: "ProcessingDuration",
      unit: "Milliseconds",
      values: [10, 30],
      dimensions: { service: "thumbnailer", Environment: "dev" },
    });
    assert.equal(points[2].dimensions.Reason, "CorruptImage");
  });

  it("totals by metric, keeping non-standard dimensions such as Reason apart", () => {
    const totals = new MetricTotals();
    const line = (reason: string) =>
      emf(
        { service: "thumbnailer", Environment: "dev", Reason: reason, ImagesFailed: 1 },
        [["ImagesFailed", "Count"]],
        [["service", "Environment", "Reason"]],
      );
    totals.add(parseEmf([line("A"), line("A"), line("B")].join("\n")));
    totals.add(
      parseEmf(
        emf(
          { service: "thumbnailer", Environment: "dev", ProcessingDuration: [5, 15] },
          [["ProcessingDuration", "Milliseconds"]],
          [["service", "Environment"]],
        ),
      ),
    );
    const list = totals.list();
    const failed = list.filter((t) => t.name === "ImagesFailed").map((t) => [t.dimensions.Reason, t.sum]);
    assert.deepEqual(failed, [
      ["A", 2],
      ["B", 1],
    ]);
    const duration = list.find((t) => t.name === "ProcessingDuration")!;
    assert.deepEqual([duration.sampleCount, duration.sum, duration.min, duration.max, duration.dimensions], [2, 20, 5, 15, {}]);
  });
});

describe("EMF dimension sets", () => {
  const twoSets = emf(
    { service: "thumbnailer", Environment: "dev", Reason: "CorruptImage", ImagesFailed: 1 },
    [["ImagesFailed", "Count"]],
    [
      ["service", "Environment"],
      ["service", "Environment", "Reason"],
    ],
  );

  it("publishes a metric once per dimension set, as CloudWatch stores it", () => {
    const points = parseEmf(twoSets);
    assert.deepEqual(
      points.map((p) => p.dimensions),
      [
        { service: "thumbnailer", Environment: "dev" },
        { service: "thumbnailer", Environment: "dev", Reason: "CorruptImage" },
      ],
    );
  });

  it("in strict mode, refuses a blob whose dimension or metric has no value (CloudWatch would drop it)", () => {
    const noReason = emf(
      { service: "thumbnailer", Environment: "dev", ImagesFailed: 1 },
      [["ImagesFailed", "Count"]],
      [["service", "Reason"]],
    );
    assert.throws(() => parseEmf(noReason, { strict: true }), /names dimension Reason without a string value/);
    const noValue = emf({ service: "thumbnailer" }, [["ImagesFailed", "Count"]], [["service"]]);
    assert.throws(() => parseEmf(noValue, { strict: true }), /declares metric ImagesFailed without a value/);
    assert.equal(parseEmf(noValue).length, 1, "without strict, it is read as a datapoint with no values");
  });
});

describe("percentile", () => {
  it("uses the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 95), 95);
    assert.equal(percentile(values, 100), 100);
    assert.equal(percentile([7], 95), 7);
    assert.equal(percentile([], 50), 0);
  });
});
