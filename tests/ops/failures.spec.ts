/**
 * `npm run failures` against a real DynamoDB wire protocol (dynalite from local/emulators.ts),
 * with the table's sparse FailuresByTime index built from the table contract.
 */
import { strict as assert } from "assert";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startEmulators, type Emulators } from "../../local/emulators";
import { Table } from "../../contract/table";
import { FAILED, failuresQuery, listFailures, main, parseWhen } from "../../tools/ops/failures";
import { UsageError } from "../../tools/cli";
import { metadataTableDefinition } from "../../local/provision";

const TABLE = "thumbnail-pipeline-dev-ImageMetadata";
const NOW = new Date("2026-11-27T12:00:00.000Z");

function minutesBefore(minutes: number): string {
  return new Date(NOW.getTime() - minutes * 60_000).toISOString();
}

function record(i: number, status: "SUCCEEDED" | "FAILED", processedAt: string, reason = "CorruptImage") {
  const base = {
    ImageID: `img-${i}`,
    Status: status,
    SourceBucket: "uploads",
    SourceKey: `photos/${i}.jpg`,
    UploadTime: processedAt,
    ProcessedAt: processedAt,
  };
  return status === "FAILED" ? { ...base, Reason: reason, ErrorMessage: `JPEG header is invalid (${i})`, FailedStatus: FAILED } : base;
}

describe("failures (npm run failures)", function () {
  let emulators: Emulators;
  let documents: DynamoDBDocumentClient;
  let lines: string[];
  let progress: string[];
  const outputs = { region: "us-east-1", metadataTableName: TABLE };

  before(async () => {
    emulators = await startEmulators();
    documents = DynamoDBDocumentClient.from(emulators.dynamo);
    await emulators.dynamo.send(new CreateTableCommand(metadataTableDefinition(TABLE)));
    // 130 failures one minute apart (0 = newest), interleaved with successes.
    const items = [];
    for (let i = 0; i < 130; i++) items.push(record(i, "FAILED", minutesBefore(i), i % 2 ? "CorruptImage" : "UnsupportedFormat"));
    for (let i = 130; i < 170; i++) items.push(record(i, "SUCCEEDED", minutesBefore(i - 130)));
    for (let i = 0; i < items.length; i += 25) {
      await documents.send(
        new BatchWriteCommand({ RequestItems: { [TABLE]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
      );
    }
  });
  after(async () => {
    await emulators?.close();
  });
  beforeEach(() => {
    lines = [];
    progress = [];
  });

  const deps = () => ({
    readOutputs: () => outputs,
    dynamo: () => emulators.dynamo,
    log: (l: string) => lines.push(l),
    progress: (l: string) => progress.push(l),
    now: NOW,
  });

  it("lists FAILED records only, newest first, with reason, source and detail", async () => {
    const code = await main(["--stack", "dev", "--since", "5m"], deps());
    assert.equal(code, 0);
    const [header, ...rows] = lines.join("\n").split("\n");
    assert.match(header, /^PROCESSED AT\s+REASON\s+SOURCE\s+DETAIL$/);
    assert.equal(rows.length, 6, "minutes 0..5 inclusive");
    assert.match(
      rows[0],
      new RegExp(`^${minutesBefore(0)}\\s+UnsupportedFormat\\s+s3://uploads/photos/0.jpg\\s+JPEG header is invalid \\(0\\)$`),
    );
    assert.match(rows[5], /photos\/5\.jpg/);
    assert.ok(
      rows.every((r) => !/photos\/1[3-6]\d\.jpg/.test(r)),
      "no SUCCEEDED record appears",
    );
  });

  it("reads page after page up to the limit and says when the limit cut the list", async () => {
    const records = await listFailures(documents, { tableName: TABLE, since: minutesBefore(1000), until: NOW.toISOString(), limit: 120 });
    assert.equal(records.length, 120);
    assert.deepEqual(
      records.map((r) => r.processedAt),
      [...records.map((r) => r.processedAt)].sort().reverse(),
      "newest first",
    );
    await main(["--stack", "dev", "--since", "1000m", "--limit", "120"], deps());
    assert.match(progress[progress.length - 1], /^120 FAILED record\(s\) \(limit 120 reached/);
    assert.ok(
      progress.some((p) => /100 records so far/.test(p)),
      progress.join("\n"),
    );
  });

  it("keeps to the --since/--until window", async () => {
    await main(["--stack", "dev", "--since", minutesBefore(20), "--until", minutesBefore(10), "--json"], deps());
    const items = lines.map((l) => JSON.parse(l));
    assert.equal(items.length, 11);
    assert.equal(items[0].ProcessedAt, minutesBefore(10));
    assert.equal(items[10].ProcessedAt, minutesBefore(20));
    assert.ok(items.every((i) => i.Status === "FAILED" && typeof i.Reason === "string"));
  });

  it("says so when nothing failed in the window", async () => {
    await main(["--stack", "dev", "--since", "2026-11-28T00:00:00Z", "--until", "2026-11-29T00:00:00Z"], deps());
    assert.deepEqual(lines, ["no FAILED records between 2026-11-28T00:00:00.000Z and 2026-11-29T00:00:00.000Z"]);
  });

  it("in a dry run prints the index query and reads nothing", async () => {
    let connected = false;
    const code = await main(["--stack", "dev", "--dry-run", "--since", "1h"], {
      ...deps(),
      dynamo: () => {
        connected = true;
        return emulators.dynamo;
      },
    });
    assert.equal(code, 0);
    assert.equal(connected, false);
    const query = JSON.parse(lines.slice(1).join("\n"));
    assert.deepEqual(query, failuresQuery({ tableName: TABLE, since: minutesBefore(60), until: NOW.toISOString(), limit: 50 }));
    assert.equal(query.IndexName, Table.failuresByTime.indexName);
    assert.equal(query.ScanIndexForward, false);
  });

  it("explains a table that does not exist", async () => {
    await assert.rejects(
      main(["--stack", "dev"], { ...deps(), readOutputs: () => ({ ...outputs, metadataTableName: "nope" }) }),
      (err: Error) => err instanceof UsageError && /dynamodb:Query on index FailuresByTime of table nope: not found/.test(err.message),
    );
  });

  it("explains missing credentials", async () => {
    const noCredentials = new DynamoDBClient({
      region: "us-east-1",
      endpoint: emulators.dynamoEndpoint,
      credentials: async () => {
        throw Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
      },
    });
    try {
      await assert.rejects(
        main(["--stack", "dev"], { ...deps(), dynamo: () => noCredentials }),
        /no AWS credentials found for dynamodb:Query/,
      );
    } finally {
      noCredentials.destroy();
    }
  });

  it("refuses times it cannot read, naming the option and the forms it takes", () => {
    assert.throws(
      () => parseWhen("yesterday", "--since", NOW),
      /--since "yesterday": expected an ISO time .* or an age such as 30m, 12h or 7d/,
    );
    assert.equal(parseWhen("2h", "--since", NOW), "2026-11-27T10:00:00.000Z");
    assert.equal(parseWhen("7d", "--since", NOW), "2026-11-20T12:00:00.000Z");
  });

  it("refuses a window that ends before it starts", async () => {
    await assert.rejects(main(["--stack", "dev", "--since", "1h", "--until", "2h"], deps()), /--since .* is after --until/);
  });
});

describe("failures --status DELETED | REPLACED (npm run failures)", function () {
  let emulators: Emulators;
  const outputs = { region: "us-east-1", metadataTableName: TABLE };
  const lines: string[] = [];
  const progress: string[] = [];

  before(async () => {
    emulators = await startEmulators();
    const documents = DynamoDBDocumentClient.from(emulators.dynamo);
    await emulators.dynamo.send(new CreateTableCommand(metadataTableDefinition(TABLE)));
    const items = [
      {
        ...record(1, "SUCCEEDED", minutesBefore(90)),
        Status: "DELETED",
        DeletedAt: minutesBefore(10),
        ThumbnailsRemovedAt: minutesBefore(10),
        DeleteEventName: "ObjectRemoved:Delete",
      },
      {
        ...record(2, "SUCCEEDED", minutesBefore(90)),
        Status: "DELETED",
        DeletedAt: minutesBefore(5),
        ThumbnailsRemovedAt: minutesBefore(5),
        DeleteEventName: "ObjectRemoved:DeleteMarkerCreated",
      },
      { ...record(3, "SUCCEEDED", minutesBefore(90)), Status: "DELETED", DeletedAt: minutesBefore(60 * 24 * 30) },
      { ...record(4, "SUCCEEDED", minutesBefore(90)), Status: "REPLACED", ReplacedAt: minutesBefore(7), ReplacedBy: "img-5" },
      record(5, "SUCCEEDED", minutesBefore(7)),
      record(6, "FAILED", minutesBefore(3)),
    ];
    await documents.send(new BatchWriteCommand({ RequestItems: { [TABLE]: items.map((Item) => ({ PutRequest: { Item } })) } }));
  });
  after(async () => {
    await emulators?.close();
  });

  const run = (...args: string[]) => {
    lines.length = 0;
    progress.length = 0;
    return main(["--stack", "dev", ...args], {
      readOutputs: () => outputs,
      dynamo: () => emulators.dynamo,
      log: (l: string) => lines.push(l),
      progress: (l: string) => progress.push(l),
      now: NOW,
    });
  };

  it("lists the DELETED records of the window newest first, saying it scans the whole table", async () => {
    assert.equal(await run("--status", "DELETED", "--json"), 0);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).ImageID),
      ["img-2", "img-1"],
    );
    assert.match(progress[0], /scan/);
  });

  it("lists the REPLACED records with what replaced them", async () => {
    assert.equal(await run("--status", "REPLACED"), 0);
    assert.match(lines.join("\n"), /replaced by img-5/);
    assert.doesNotMatch(lines.join("\n"), /img-1|img-6/);
  });

  it("refuses a status it does not list, naming the ones it does", async () => {
    await assert.rejects(run("--status", "SUCCEEDED"), /--status SUCCEEDED: must be one of FAILED, DELETED, REPLACED/);
  });
});
