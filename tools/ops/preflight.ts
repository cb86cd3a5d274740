/**
 * `npm run preflight -- --stack <name>`: with the operator's AWS credentials, checks what the
 * stack needs from the account and region before `pulumi up`, so a first deployment into a
 * fresh account does not stop halfway. Each check prints ok, warn or fail, and the fix; the
 * exit code is 1 when a check fails.
 *
 * It reads the stack's settings the way the program does: Pulumi.yaml defaults under
 * Pulumi.<stack>.yaml (tools/harness/programUnderMocks.ts, stackConfig), validated by infra/config.ts,
 * named by infra/naming.ts. Read-only: it calls Get/Head/List APIs only.
 *
 * What it cannot know is said in README (Deploying): IAM permissions of the deploying identity
 * beyond these reads, service control policies, and quotas it does not list.
 */
import * as fs from "fs";
import * as path from "path";
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient, ListLayersCommand } from "@aws-sdk/client-lambda";
import { GetBucketTaggingCommand, HeadBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { FUNCTION_ARCHITECTURE as ARCHITECTURE, FUNCTION_RUNTIME } from "../../contract/runtime";
import { rawProjectConfig, validateConfig, type PipelineConfig } from "../../infra/config";
import { physicalName, Purpose, stackBucketName } from "../../infra/naming";
import { REPO_ROOT, readProjectFile, stackConfig } from "../harness/programUnderMocks";
import { explainAwsError } from "./stackOutputs";
import { parseOptions, runCli, UsageError } from "../cli";

const USAGE = `usage: npm run preflight -- --stack <name>
  --stack <name>   stack whose Pulumi.<name>.yaml (over Pulumi.yaml's defaults) to check against the account`;

/** Lambda keeps this much of the account's concurrency unreserved (ReservedConcurrentExecutions' minimum). */
export const LAMBDA_MIN_UNRESERVED = 100;
/** Below this account concurrency quota the function competes for a small pool (new accounts start at 10–50). */
export const LAMBDA_HEALTHY_ACCOUNT_CONCURRENCY = 1000;
/** AWS's default quotas (Service Quotas); an account may have raised ones, so these only warn. */
export const DEFAULT_QUOTAS = {
  /** General purpose buckets per account (S3 quotas, since November 2024). */
  s3Buckets: 10_000,
  /** Tables per account per region (DynamoDB service quotas). */
  dynamodbTables: 2_500,
} as const;

export type Verdict = "ok" | "warn" | "fail";
export interface CheckResult {
  check: string;
  verdict: Verdict;
  detail: string;
  /** What to do when the verdict is warn or fail. */
  fix?: string;
}

export interface PreflightClients {
  lambda: LambdaClient;
  s3: S3Client;
  dynamodb: DynamoDBClient;
  sts: STSClient;
}

export interface StackPlan {
  stack: string;
  project: string;
  region: string;
  config: PipelineConfig;
  functionName: string;
}

/** The stack's settings, as `pulumi up` would give them to the program. */
export function stackPlan(stack: string): StackPlan {
  if (!fs.existsSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`)))
    throw new UsageError(`there is no Pulumi.${stack}.yaml: preflight checks a stack's own settings`);
  const project = readProjectFile().name;
  const all = stackConfig(stack);
  const region = all["aws-native:region"] ?? all["aws:region"];
  if (!region) throw new UsageError(`stack ${stack}: Pulumi.${stack}.yaml sets no aws-native:region`);
  const config = validateConfig(rawProjectConfig(all, project));
  return { stack, project, region, config, functionName: physicalName(project, config.environment, Purpose.function) };
}

/** The buckets the stack creates, by the names the program gives them. */
export function plannedBuckets(plan: StackPlan, accountId: string): Array<{ purpose: string; name: string; configKey?: string }> {
  const parts = (purpose: string) => ({ project: plan.project, stack: plan.stack, purpose, accountId, region: plan.region });
  return [
    {
      purpose: Purpose.sourceBucket,
      name: stackBucketName(plan.config.sourceBucketName, parts(Purpose.sourceBucket)),
      configKey: "sourceBucketName",
    },
    {
      purpose: Purpose.thumbnailBucket,
      name: stackBucketName(plan.config.thumbnailBucketName, parts(Purpose.thumbnailBucket)),
      configKey: "thumbnailBucketName",
    },
    { purpose: Purpose.artifactBucket, name: stackBucketName(undefined, parts(Purpose.artifactBucket)) },
  ];
}

const errorName = (err: unknown) => (err as { name?: string })?.name ?? "";
const httpStatus = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/** Reserved concurrency must leave 100 unreserved; new accounts have quotas of 10–50. */
export async function checkLambdaConcurrency(plan: StackPlan, lambda: LambdaClient): Promise<CheckResult[]> {
  const check = "Lambda concurrency";
  const settings = await lambda.send(new GetAccountSettingsCommand({}));
  const quota = settings.AccountLimit?.ConcurrentExecutions ?? 0;
  const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? quota;
  let own = 0;
  try {
    own = (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: plan.functionName }))).ReservedConcurrentExecutions ?? 0;
  } catch (err) {
    if (errorName(err) !== "ResourceNotFoundException") throw err;
  }
  // The function's own reservation comes back when it is replaced by the new value.
  const reservable = Math.max(0, unreserved + own - LAMBDA_MIN_UNRESERVED);
  const wanted = plan.config.reservedConcurrency;
  const increase = `request a higher "Concurrent executions" quota for Lambda in ${plan.region} (Service Quotas console)`;
  const results: CheckResult[] = [];
  if (wanted > reservable) {
    results.push({
      check,
      verdict: "fail",
      detail:
        `reservedConcurrency is ${wanted}, but the account's quota is ${quota} with ${unreserved} unreserved, and Lambda keeps ${LAMBDA_MIN_UNRESERVED} unreserved: ` +
        `at most ${reservable} can be reserved. \`pulumi up\` would fail with "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value".`,
      fix: `\`pulumi config set reservedConcurrency ${reservable} --stack ${plan.stack}\`${reservable === 0 ? " (0 = no reservation)" : ""}, or ${increase} and run preflight again`,
    });
  } else {
    results.push({
      check,
      verdict: "ok",
      detail:
        wanted > 0
          ? `reserves ${wanted} of ${reservable} reservable (quota ${quota})`
          : `no reservation; shares ${unreserved} unreserved (quota ${quota})`,
    });
  }
  if (quota < LAMBDA_HEALTHY_ACCOUNT_CONCURRENCY) {
    results.push({
      check: "Lambda concurrency quota",
      verdict: "warn",
      detail: `the account runs at most ${quota} functions at once (new accounts start low); an upload burst is throttled and retried, and slows every other function in the account`,
      fix: increase,
    });
  }
  return results;
}

/** The region's Lambda must know the runtime and arm64 (ListLayers validates both filters). */
export async function checkRuntime(plan: StackPlan, lambda: LambdaClient): Promise<CheckResult> {
  const check = "Lambda runtime and architecture";
  try {
    await lambda.send(new ListLayersCommand({ CompatibleRuntime: FUNCTION_RUNTIME, CompatibleArchitecture: ARCHITECTURE, MaxItems: 1 }));
    return { check, verdict: "ok", detail: `${plan.region} knows ${FUNCTION_RUNTIME} on ${ARCHITECTURE}` };
  } catch (err) {
    if (/Validation|InvalidParameterValue/.test(errorName(err))) {
      return {
        check,
        verdict: "fail",
        detail: `${plan.region}'s Lambda refuses ${FUNCTION_RUNTIME} or ${ARCHITECTURE}: ${(err as Error).message}`,
        fix: `deploy to a region that offers both (set aws:region and aws-native:region in Pulumi.${plan.stack}.yaml)`,
      };
    }
    throw err;
  }
}

/** A bucket check, and whether `pulumi up` would create the bucket (it does not exist yet). */
export type BucketCheck = CheckResult & { free: boolean };

/** 404: free; 403: another account's; 200: this account's (fine when this stack made it). */
export async function checkBucket(
  plan: StackPlan,
  s3: S3Client,
  bucket: { purpose: string; name: string; configKey?: string },
): Promise<BucketCheck> {
  const check = `bucket ${bucket.name} (${bucket.purpose})`;
  const rename = bucket.configKey
    ? `choose another name: \`pulumi config set ${bucket.configKey} <name> --stack ${plan.stack}\``
    : "the artifact bucket's name is derived from project, stack, account and region: use another stack name";
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket.name }));
  } catch (err) {
    const status = httpStatus(err);
    if (status === 404 || errorName(err) === "NotFound" || errorName(err) === "NoSuchBucket")
      return { check, verdict: "ok", detail: "free", free: true };
    if (status === 403)
      return { check, verdict: "fail", detail: "the name is taken by another AWS account (HeadBucket: 403)", fix: rename, free: false };
    if (status === 301)
      return { check, verdict: "fail", detail: `the bucket exists in another region than ${plan.region}`, fix: rename, free: false };
    throw err;
  }
  let tags: Record<string, string> = {};
  try {
    const tagSet = (await s3.send(new GetBucketTaggingCommand({ Bucket: bucket.name }))).TagSet ?? [];
    tags = Object.fromEntries(tagSet.map((t) => [t.Key ?? "", t.Value ?? ""]));
  } catch (err) {
    if (errorName(err) !== "NoSuchTagSet") throw err;
  }
  if (tags.Project === plan.project && tags.Environment === plan.config.environment) {
    return {
      check,
      verdict: "ok",
      detail: `exists in this account, tagged Project=${plan.project} Environment=${plan.config.environment} (this stack's)`,
      free: false,
    };
  }
  return {
    check,
    verdict: "warn",
    detail: "exists in this account but is not tagged as this stack's: a first `pulumi up` would fail to create it",
    fix: `${rename}, or \`pulumi import\` it if it is meant to be this stack's`,
    free: false,
  };
}

async function countPages(next: (token: string | undefined) => Promise<{ count: number; token: string | undefined }>): Promise<number> {
  let total = 0;
  let token: string | undefined;
  do {
    const page = await next(token);
    total += page.count;
    token = page.token;
  } while (token);
  return total;
}

function quotaResult(check: string, used: number, adding: number, quota: number, what: string): CheckResult {
  const detail = `${used} ${what} in use, the stack adds ${adding}; AWS's default quota is ${quota}`;
  if (used + adding <= quota) return { check, verdict: "ok", detail };
  return {
    check,
    verdict: "warn",
    detail: `${detail}, which this would exceed`,
    fix: `check the account's quota in the Service Quotas console and request an increase, or remove unused ${what}`,
  };
}

export async function checkQuotas(plan: StackPlan, clients: PreflightClients, newBuckets: number): Promise<CheckResult[]> {
  const buckets = await countPages(async (token) => {
    const page = await clients.s3.send(new ListBucketsCommand({ ContinuationToken: token, MaxBuckets: 1000 }));
    return { count: page.Buckets?.length ?? 0, token: page.ContinuationToken };
  });
  const tables = await countPages(async (token) => {
    const page = await clients.dynamodb.send(new ListTablesCommand({ ExclusiveStartTableName: token }));
    return { count: page.TableNames?.length ?? 0, token: page.LastEvaluatedTableName };
  });
  return [
    quotaResult("S3 buckets (account)", buckets, newBuckets, DEFAULT_QUOTAS.s3Buckets, "buckets"),
    quotaResult(`DynamoDB tables (${plan.region})`, tables, 1, DEFAULT_QUOTAS.dynamodbTables, "tables"),
  ];
}

export async function preflight(plan: StackPlan, clients: PreflightClients): Promise<CheckResult[]> {
  const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
  const accountId = identity.Account;
  if (!accountId) throw new UsageError("STS GetCallerIdentity returned no account id");
  const results: CheckResult[] = [];
  results.push(...(await checkLambdaConcurrency(plan, clients.lambda)));
  results.push(await checkRuntime(plan, clients.lambda));
  const buckets = plannedBuckets(plan, accountId);
  let free = 0;
  for (const bucket of buckets) {
    const { free: isFree, ...result } = await checkBucket(plan, clients.s3, bucket);
    if (isFree) free += 1;
    results.push(result);
  }
  results.push(...(await checkQuotas(plan, clients, free)));
  return results;
}

export function formatResults(plan: StackPlan, accountHint: string, results: CheckResult[]): string {
  const lines = [`preflight for stack ${plan.stack} (${plan.config.environment}) in ${plan.region}, ${accountHint}:`];
  for (const r of results) {
    lines.push(`  ${r.verdict.padEnd(4)}  ${r.check}: ${r.detail}`);
    if (r.fix && r.verdict !== "ok") lines.push(`        fix: ${r.fix}`);
  }
  const failed = results.filter((r) => r.verdict === "fail").length;
  const warned = results.filter((r) => r.verdict === "warn").length;
  lines.push(
    failed > 0
      ? `${failed} check(s) failed: fix them before \`pulumi up\`.`
      : `no check failed${warned > 0 ? ` (${warned} warning(s))` : ""}.`,
  );
  lines.push(
    "not checked: the deploying identity's IAM permissions, service control policies, and quotas with far more headroom than the stack uses (IAM roles, SQS queues, SNS topics, CloudWatch alarms: one role, queue and topic, at most 7 alarms).",
  );
  return lines.join("\n");
}

export async function main(
  argv: string[],
  clientsFor: (region: string) => PreflightClients = defaultClients,
  print = console.log,
): Promise<number> {
  const values = parseOptions(argv, { stack: { type: "string" }, help: { type: "boolean" } }, USAGE);
  if (values.help) {
    print(USAGE);
    return 0;
  }
  if (!values.stack) throw new UsageError(`--stack is required\n${USAGE}`);
  const plan = stackPlan(values.stack);
  const clients = clientsFor(plan.region);
  let results: CheckResult[];
  try {
    results = await preflight(plan, clients);
  } catch (err) {
    throw explainAwsError(err, `checking the account for stack ${plan.stack}`);
  }
  print(formatResults(plan, "with your AWS credentials", results));
  return results.some((r) => r.verdict === "fail") ? 1 : 0;
}

function defaultClients(region: string): PreflightClients {
  return {
    lambda: new LambdaClient({ region }),
    s3: new S3Client({ region }),
    dynamodb: new DynamoDBClient({ region }),
    sts: new STSClient({ region }),
  };
}

if (require.main === module) runCli((argv) => main(argv));
