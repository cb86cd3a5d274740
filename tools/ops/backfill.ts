/**
 * `npm run backfill -- --stack <name>`: makes thumbnails for the objects of the source bucket
 * that have none yet (an existing bucket adopted by the stack, lost events), that were made
 * with older settings (thumbnail sizes, quality: the record's RenditionSpec), or, with
 * `--retry-failed`, that failed for a reason a change may have fixed.
 *
 * It lists the bucket (or `--prefix`), decides per object from the records of its key
 * (backfillPlan.ts), and invokes the function asynchronously with an S3-shaped event per
 * object, at most `--rate` a second. Running it again changes nothing for objects already
 * handled: the events it builds give the same ImageID for the same object and records. It uses
 * the operator's credentials; it reads the source bucket and never writes to it, so it cannot
 * trigger itself, and the function's role gains nothing for it.
 */
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { attemptLimitsOf, readConfig } from "../../function/src/config";
import { LambdaRuntimeEnvVar } from "../../contract/environment";
import { recordsOfKey } from "../../function/src/adapters/recordStore";
import { attemptSpecOf, renditionSpecOf } from "../../contract/renditionSpec";
import { Table } from "../../contract/table";
import { sourceKeyStateId, type SourceKeyState } from "../../contract/sourceKeyState";
import { backfillEvent, planObject, type PlanReason, type SkipReason, type SourceObjectListing } from "./backfillPlan";
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
import { ProgressBar } from "../../local/progress";

/** Well under any reserved concurrency: at about a second an image, five a second keep about five instances busy. */
export const DEFAULT_RATE_PER_SECOND = 5;

const USAGE = `usage: npm run backfill -- --stack <name> [--outputs <file>] [--prefix <p>] [--from <key>] [--rate <n>] [--retry-failed] [--dry-run] [--limit <n>]
  --stack <name>     Pulumi stack whose source bucket to backfill (outputs read with the Pulumi CLI)
  --outputs <file>   read the stack's outputs from this file (pulumi stack output --json) instead
  --prefix <p>       only keys that start with p
  --from <key>       resume: start after this key (a run prints the last key it reached)
  --rate <n>         invocations per second, at most (default ${DEFAULT_RATE_PER_SECOND})
  --retry-failed     also process FAILED uploads whose reason a change may fix (limits, timeouts, formats)
  --dry-run          count what would be done and what it would cost; invoke nothing
  --limit <n>        invoke at most n times`;

/** docs/costs.md: ≈ $12–13 per million uploads of 12 MP photos with one thumbnail size. */
export const COST_PER_IMAGE_USD = { low: 12e-6, high: 13e-6 };

export interface BackfillOptions {
  sourceBucket: string;
  tableName: string;
  region: string;
  /** renditionSpecOf() and attemptSpecOf() the function's current settings. */
  spec: string;
  attemptSpec: string;
  prefix?: string;
  from?: string;
  ratePerSecond: number;
  retryFailed: boolean;
  dryRun: boolean;
  limit?: number;
}

export interface BackfillDependencies {
  s3: S3Client;
  dynamo: DynamoDBClient;
  /** Invokes the function asynchronously with `event`. */
  invoke: (event: unknown) => Promise<void>;
  log: (line: string) => void;
  /** Injectable for tests of the rate limit. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  progress?: ProgressBar;
}

export interface BackfillSummary {
  listed: number;
  /** Objects that need the function, by why (in a dry run: that would be invoked). */
  toInvoke: Record<PlanReason, number>;
  skipped: Record<SkipReason, number>;
  invoked: number;
  failedInvocations: { key: string; error: string }[];
  /** The last key looked at: `--from` it to resume. */
  lastKey?: string;
  /** Stopped at --limit before the listing ended. */
  stoppedAtLimit: boolean;
  estimatedCostUsd: { low: number; high: number };
}

async function keyState(dynamo: DynamoDBClient, table: string, bucket: string, key: string): Promise<Partial<SourceKeyState> | undefined> {
  const response = await dynamo.send(
    new GetItemCommand({ TableName: table, Key: { [Table.partitionKey]: { S: sourceKeyStateId(bucket, key) } }, ConsistentRead: true }),
  );
  const item = response.Item;
  if (!item) return undefined;
  return { DeletedSequencer: item.DeletedSequencer?.S, CurrentImageID: item.CurrentImageID?.S };
}

export async function backfill(options: BackfillOptions, deps: BackfillDependencies): Promise<BackfillSummary> {
  const now = deps.now ?? (() => Date.now());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const summary: BackfillSummary = {
    listed: 0,
    toInvoke: { missing: 0, stale: 0, "retry-failed": 0 },
    skipped: { current: 0, failed: 0, folder: 0 },
    invoked: 0,
    failedInvocations: [],
    stoppedAtLimit: false,
    estimatedCostUsd: { low: 0, high: 0 },
  };
  const interval = 1000 / options.ratePerSecond;
  let nextSlot = now();
  let token: string | undefined;
  let started = false;
  listing: do {
    let page;
    try {
      page = await deps.s3.send(
        new ListObjectsV2Command({
          Bucket: options.sourceBucket,
          Prefix: options.prefix,
          ContinuationToken: token,
          ...(!started && options.from ? { StartAfter: options.from } : {}),
        }),
      );
    } catch (err) {
      throw explainAwsError(err, `s3:ListBucket on ${options.sourceBucket}`);
    }
    started = true;
    const objects: SourceObjectListing[] = (page.Contents ?? []).map((o) => ({
      key: o.Key ?? "",
      eTag: String(o.ETag ?? "").replace(/"/g, ""),
      size: Number(o.Size ?? 0),
      lastModified: o.LastModified ?? new Date(0),
    }));
    deps.progress?.expect(objects.length);
    for (const object of objects) {
      if (options.limit !== undefined && summary.invoked >= options.limit) {
        summary.stoppedAtLimit = true;
        break listing;
      }
      summary.listed++;
      summary.lastKey = object.key;
      let plan;
      try {
        const records = (await recordsOfKey(deps.dynamo, options.tableName, object.key)).filter(
          (r) => r.SourceBucket === options.sourceBucket,
        );
        plan = planObject(object, records, await keyState(deps.dynamo, options.tableName, options.sourceBucket, object.key), options);
      } catch (err) {
        throw explainAwsError(err, `dynamodb:Query/GetItem on ${options.tableName} for ${object.key}`);
      }
      if (!plan.invoke) {
        summary.skipped[plan.why]++;
        deps.progress?.tick(false);
        continue;
      }
      summary.toInvoke[plan.why]++;
      if (options.dryRun) {
        deps.progress?.tick(false);
        continue;
      }
      // A steady pace rather than bursts: at most one invocation per interval.
      const wait = nextSlot - now();
      if (wait > 0) await sleep(wait);
      nextSlot = Math.max(nextSlot, now()) + interval;
      try {
        await deps.invoke(backfillEvent(options.sourceBucket, options.region, object, plan.sequencer));
        summary.invoked++;
        deps.progress?.tick(false);
      } catch (err) {
        const explained = explainAwsError(err, "lambda:InvokeFunction");
        if (explained instanceof UsageError) throw explained;
        summary.failedInvocations.push({ key: object.key, error: explained.message });
        deps.progress?.tick(true);
      }
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  deps.progress?.finish();

  const work = Object.values(summary.toInvoke).reduce((a, b) => a + b, 0);
  summary.estimatedCostUsd = { low: work * COST_PER_IMAGE_USD.low, high: work * COST_PER_IMAGE_USD.high };
  const verb = options.dryRun ? "would invoke" : "invoked";
  deps.log(
    `${summary.listed} objects listed; ${verb} ${options.dryRun ? work : summary.invoked} ` +
      `(missing ${summary.toInvoke.missing}, stale ${summary.toInvoke.stale}, retry-failed ${summary.toInvoke["retry-failed"]}); ` +
      `skipped ${summary.skipped.current} current, ${summary.skipped.failed} failed${options.retryFailed ? " for good" : " (see --retry-failed)"}, ${summary.skipped.folder} folder markers`,
  );
  deps.log(`estimated cost: $${summary.estimatedCostUsd.low.toFixed(4)}–${summary.estimatedCostUsd.high.toFixed(4)} (docs/costs.md)`);
  if (summary.failedInvocations.length > 0) {
    deps.log(`${summary.failedInvocations.length} invocations failed; run again to retry them:`);
    for (const f of summary.failedInvocations) deps.log(`  ${f.key}: ${f.error}`);
  }
  if (summary.stoppedAtLimit && summary.lastKey) deps.log(`stopped at --limit; resume with --from ${JSON.stringify(summary.lastKey)}`);
  return summary;
}

/** The function's current settings, from its own configuration (what it will make, and under which limits). */
export async function currentSpecs(lambda: LambdaClient, functionName: string): Promise<{ spec: string; attemptSpec: string }> {
  let variables: Record<string, string>;
  try {
    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    variables = {
      ...configuration.Environment?.Variables,
      ...(configuration.MemorySize ? { [LambdaRuntimeEnvVar.FunctionMemorySize]: String(configuration.MemorySize) } : {}),
    };
  } catch (err) {
    throw explainAwsError(err, `lambda:GetFunctionConfiguration on ${functionName}`);
  }
  const config = readConfig(variables);
  return { spec: renditionSpecOf(config), attemptSpec: attemptSpecOf({ ...config, ...attemptLimitsOf(config) }) };
}

export interface BackfillCliDependencies {
  readOutputs?: (source: StackSource) => StackOutputs;
  clients?: (region: string) => { s3: S3Client; dynamo: DynamoDBClient; lambda: LambdaClient };
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

function parseCommandLine(argv: string[]) {
  const values = parseOptions(
    argv,
    {
      ...STACK_SOURCE_OPTIONS,
      prefix: { type: "string" },
      from: { type: "string" },
      rate: { type: "string" },
      "retry-failed": { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      limit: { type: "string" },
    },
    USAGE,
  );
  return {
    ...values,
    rate: values.rate === undefined ? DEFAULT_RATE_PER_SECOND : integerOption(values.rate, "--rate", 1, "invocations a second"),
    limit: values.limit === undefined ? undefined : integerOption(values.limit, "--limit", 1, "invocations"),
  };
}

export async function main(argv: string[], deps: BackfillCliDependencies = {}): Promise<number> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const args = parseCommandLine(argv);
  if (args.help) {
    log(USAGE);
    return 0;
  }
  if (!args.stack && !args.outputs) throw new UsageError(`name the stack: --stack <name> (or --outputs <file>)\n${USAGE}`);
  const source: StackSource = { stack: args.stack, outputsFile: args.outputs };
  const outputs = (deps.readOutputs ?? readStackOutputs)(source);
  const sourceBucket = requireOutput(outputs, StackOutput.sourceBucketName, source);
  const tableName = requireOutput(outputs, StackOutput.metadataTableName, source);
  const functionName = requireOutput(outputs, StackOutput.functionName, source);
  const region = regionOf(outputs, source, deps.env);
  const clients = deps.clients?.(region) ?? {
    s3: new S3Client({ region }),
    dynamo: new DynamoDBClient({ region }),
    lambda: new LambdaClient({ region }),
  };
  try {
    const specs = await currentSpecs(clients.lambda, functionName);
    const summary = await backfill(
      {
        sourceBucket,
        tableName,
        region,
        ...specs,
        prefix: args.prefix,
        from: args.from,
        ratePerSecond: args.rate,
        retryFailed: args["retry-failed"],
        dryRun: args["dry-run"],
        limit: args.limit,
      },
      {
        ...clients,
        log,
        progress: new ProgressBar(process.stderr.isTTY === true),
        invoke: async (event) => {
          await clients.lambda.send(
            new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(event)) }),
          );
        },
      },
    );
    return summary.failedInvocations.length > 0 ? 1 : 0;
  } finally {
    if (!deps.clients) for (const client of Object.values(clients)) client.destroy();
  }
}

if (require.main === module) runCli(main);
