/**
 * `npm run failures -- --stack <name>`: lists the uploads that ended FAILED, newest first, with
 * their reasons, from the metadata table's sparse FailuresByTime index (only FAILED records
 * are in it, so the query reads failures and nothing else). `--status DELETED|REPLACED` lists
 * the uploads that were deleted or replaced instead: no index holds those, so that reads the
 * whole table (a Scan), and says so.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, ScanCommand, type QueryCommandInput, type ScanCommandInput } from "@aws-sdk/lib-dynamodb";
import { Table } from "../../contract/table";
import { RecordStatus, type ImageRecord } from "../../contract/record";
import {
  StackOutput,
  STACK_SOURCE_OPTIONS,
  explainAwsError,
  readStackOutputs,
  regionOf,
  requireOutput,
  type StackOutputs,
  type StackSource,
} from "./stackOutputs";
import { integerOption, parseOptions, runCli, UsageError } from "../cli";

const USAGE = `usage: npm run failures -- --stack <name> [--outputs <file>] [--status <s>] [--since <when>] [--until <when>] [--limit <n>] [--json] [--dry-run]
  --stack <name>     Pulumi stack whose metadata table to read (outputs read with the Pulumi CLI)
  --outputs <file>   read the stack's outputs from this file (pulumi stack output --json) instead
  --status <s>       FAILED (default; an index query), DELETED or REPLACED (a scan of the whole table)
  --since <when>     oldest processing time (DELETED: deletion time, REPLACED: replacement time): an ISO time (2026-11-27T08:00:00Z) or an age (30m, 12h, 7d); default 7d
  --until <when>     newest processing time, same forms; default now
  --limit <n>        at most n records (default 50)
  --json             one JSON record per line instead of a table
  --dry-run          print the query that would run; read nothing`;

/** The value FailedStatus holds on every FAILED record (the sparse index's partition). */
export const FAILED = RecordStatus.Failed;

export interface FailureRecord {
  processedAt: string;
  reason: string;
  detail?: string;
  sourceBucket?: string;
  sourceKey?: string;
  imageId?: string;
  /** The whole item, for --json. */
  item: Record<string, unknown>;
}

/** An ISO time, or an age before `now` such as 30m, 12h, 7d. */
export function parseWhen(text: string, option: string, now: Date = new Date()): string {
  const age = /^(\d+)\s*([mhd])$/.exec(text.trim());
  if (age) {
    const ms = Number(age[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as "m" | "h" | "d"];
    return new Date(now.getTime() - ms).toISOString();
  }
  const t = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim()) && !Number.isNaN(t)) return new Date(t).toISOString();
  throw new UsageError(
    `${option} ${JSON.stringify(text)}: expected an ISO time such as 2026-11-27T08:00:00Z or an age such as 30m, 12h or 7d`,
  );
}

export interface ListFailuresOptions {
  tableName: string;
  /** ISO times bounding ProcessedAt (inclusive). */
  since: string;
  until: string;
  limit: number;
}

/** The query the command runs: the sparse index, newest first, within the time range. */
export function failuresQuery(options: ListFailuresOptions, exclusiveStartKey?: Record<string, unknown>): QueryCommandInput {
  const index = Table.failuresByTime;
  return {
    TableName: options.tableName,
    IndexName: index.indexName,
    KeyConditionExpression: "#status = :failed AND #time BETWEEN :since AND :until",
    ExpressionAttributeNames: { "#status": index.partitionKey, "#time": index.sortKey },
    ExpressionAttributeValues: { ":failed": FAILED, ":since": options.since, ":until": options.until },
    ScanIndexForward: false,
    Limit: Math.min(options.limit, 100),
    ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
  };
}

/** The later states --status lists, and the record attribute holding when each was reached. */
export const LIFECYCLE_TIME = { [RecordStatus.Deleted]: "DeletedAt", [RecordStatus.Replaced]: "ReplacedAt" } as const satisfies Record<
  string,
  keyof ImageRecord
>;
export type LifecycleStatus = keyof typeof LIFECYCLE_TIME;

/** The scan --status DELETED|REPLACED runs: every item, filtered to the status within the time range. */
export function lifecycleScan(
  options: ListFailuresOptions & { status: LifecycleStatus },
  exclusiveStartKey?: Record<string, unknown>,
): ScanCommandInput {
  return {
    TableName: options.tableName,
    FilterExpression: "#status = :status AND #time BETWEEN :since AND :until",
    ExpressionAttributeNames: { "#status": "Status", "#time": LIFECYCLE_TIME[options.status] },
    ExpressionAttributeValues: { ":status": options.status, ":since": options.since, ":until": options.until },
    ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
  };
}

/** DELETED or REPLACED records within the range, newest first, from a scan of the whole table. */
export async function listRetired(
  documents: DynamoDBDocumentClient,
  options: ListFailuresOptions & { status: LifecycleStatus },
  onPage: (scanned: number, matched: number) => void = () => undefined,
): Promise<FailureRecord[]> {
  const records: FailureRecord[] = [];
  let start: Record<string, unknown> | undefined;
  let scanned = 0;
  do {
    let page;
    try {
      page = await documents.send(new ScanCommand(lifecycleScan(options, start)));
    } catch (err) {
      throw explainAwsError(err, `dynamodb:Scan on table ${options.tableName}`);
    }
    scanned += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      records.push({
        processedAt: text(item, LIFECYCLE_TIME[options.status]) ?? "?",
        reason:
          options.status === RecordStatus.Replaced
            ? `replaced by ${text(item, "ReplacedBy") ?? "?"}`
            : (text(item, "DeleteEventName") ?? "deleted"),
        detail: text(item, "ThumbnailsRemovedAt") ? "thumbnails deleted" : "thumbnails kept",
        sourceBucket: text(item, "SourceBucket"),
        sourceKey: text(item, "SourceKey"),
        imageId: text(item, "ImageID"),
        item,
      });
    }
    start = page.LastEvaluatedKey;
    onPage(scanned, records.length);
  } while (start);
  return records.sort((a, b) => (a.processedAt < b.processedAt ? 1 : a.processedAt > b.processedAt ? -1 : 0)).slice(0, options.limit);
}

/** A string attribute of the record, by its name in the function's record schema. */
function text(item: Record<string, unknown>, name: keyof ImageRecord): string | undefined {
  return typeof item[name] === "string" && item[name] ? item[name] : undefined;
}

/** Reads FAILED records newest first, page by page, up to the limit. */
export async function listFailures(
  documents: DynamoDBDocumentClient,
  options: ListFailuresOptions,
  onPage: (recordsSoFar: number) => void = () => undefined,
): Promise<FailureRecord[]> {
  const records: FailureRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    let page;
    try {
      page = await documents.send(new QueryCommand(failuresQuery({ ...options, limit: options.limit - records.length }, start)));
    } catch (err) {
      throw explainAwsError(err, `dynamodb:Query on index ${Table.failuresByTime.indexName} of table ${options.tableName}`);
    }
    for (const item of page.Items ?? []) {
      records.push({
        processedAt: text(item, "ProcessedAt") ?? "?",
        reason: text(item, "Reason") ?? "(no reason recorded)",
        detail: text(item, "ErrorMessage"),
        sourceBucket: text(item, "SourceBucket"),
        sourceKey: text(item, "SourceKey"),
        imageId: text(item, "ImageID"),
        item,
      });
    }
    start = page.LastEvaluatedKey;
    onPage(records.length);
  } while (start && records.length < options.limit);
  return records.slice(0, options.limit);
}

/** The records as an aligned table. */
export function formatTable(records: FailureRecord[]): string {
  const rows = records.map((r) => [
    r.processedAt,
    r.reason,
    r.sourceKey ? `s3://${r.sourceBucket ?? "?"}/${r.sourceKey}` : "?",
    r.detail ?? "",
  ]);
  const header = ["PROCESSED AT", "REASON", "SOURCE", "DETAIL"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export interface FailuresDependencies {
  readOutputs?: (source: StackSource) => StackOutputs;
  /** A DynamoDB client for the region; the caller keeps ownership of one it passes. */
  dynamo?: (region: string) => DynamoDBClient;
  log?: (line: string) => void;
  /** Progress lines (stderr by default, so --json output stays clean). */
  progress?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

export async function main(argv: string[], deps: FailuresDependencies = {}): Promise<number> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const progress = deps.progress ?? ((line: string) => console.error(line));
  const values = parseOptions(
    argv,
    {
      ...STACK_SOURCE_OPTIONS,
      status: { type: "string", default: RecordStatus.Failed },
      since: { type: "string", default: "7d" },
      until: { type: "string" },
      limit: { type: "string", default: "50" },
      json: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
    },
    USAGE,
  );
  if (values.help) {
    log(USAGE);
    return 0;
  }
  const limit = integerOption(values.limit, "--limit", 1, "records");
  const statuses = [RecordStatus.Failed, ...Object.keys(LIFECYCLE_TIME)];
  if (!statuses.includes(values.status)) throw new UsageError(`--status ${values.status}: must be one of ${statuses.join(", ")}`);
  const lifecycle = values.status === RecordStatus.Failed ? undefined : (values.status as LifecycleStatus);
  const now = deps.now ?? new Date();
  const since = parseWhen(values.since, "--since", now);
  const until = values.until ? parseWhen(values.until, "--until", now) : now.toISOString();
  if (since > until) throw new UsageError(`--since ${since} is after --until ${until}`);

  const source: StackSource = { stack: values.stack, outputsFile: values.outputs };
  const outputs = (deps.readOutputs ?? readStackOutputs)(source);
  const tableName = requireOutput(outputs, StackOutput.metadataTableName, source);
  const region = regionOf(outputs, source, deps.env);
  const options = { tableName, since, until, limit };

  if (values["dry-run"]) {
    log(`dry run: would ${lifecycle ? "scan the whole table" : "query"} (region ${region}):`);
    log(JSON.stringify(lifecycle ? lifecycleScan({ ...options, status: lifecycle }) : failuresQuery(options), null, 2));
    return 0;
  }

  const dynamo = deps.dynamo?.(region) ?? new DynamoDBClient({ region });
  const documents = DynamoDBDocumentClient.from(dynamo);
  try {
    let records: FailureRecord[];
    if (lifecycle) {
      // No index holds them: a scan reads every item (about 1 read unit per 8 KB of table, eventually consistent).
      progress(`scanning all of ${tableName} for ${lifecycle} records ${since} … ${until} (a scan reads the whole table)`);
      records = await listRetired(documents, { ...options, status: lifecycle }, (scanned, matched) =>
        progress(`  ${scanned} items scanned, ${matched} ${lifecycle}`),
      );
    } else {
      progress(`reading FAILED records of ${tableName} processed ${since} … ${until}`);
      records = await listFailures(documents, options, (n) => progress(`  ${n} records so far`));
    }
    if (values.json) {
      for (const r of records) log(JSON.stringify(r.item));
    } else if (records.length === 0) {
      log(`no ${values.status} records between ${since} and ${until}`);
    } else {
      log(formatTable(records));
    }
    progress(
      `${records.length} ${values.status} record(s)${records.length === limit ? ` (limit ${limit} reached; use --limit or --since to see more)` : ""}`,
    );
    return 0;
  } finally {
    if (!deps.dynamo) dynamo.destroy();
  }
}

if (require.main === module) runCli(main);
