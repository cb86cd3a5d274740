/**
 * What `npm start` needs to know about one stack, taken from the same places `pulumi up` takes
 * it: the stack's config file (Pulumi.<stack>.yaml) validated by infra/config.ts, and resource
 * names from infra/naming.ts. Nothing here re-spells a name or a default.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ConfigError, rawProjectConfig, validateConfig, type PipelineConfig } from "../infra/config";
import { functionEnvironment } from "../infra/compute/functionEnvironment";
import { deriveBucketName, physicalName, Purpose } from "../infra/naming";
import { UsageError } from "../tools/cli";

export interface LocalStack {
  stack: string;
  project: string;
  config: PipelineConfig;
  region: string;
  /** Stands in for the AWS account id in derived names and ARNs. */
  accountId: string;
  sourceBucketName: string;
  thumbnailBucketName: string;
  tableName: string;
  functionName: string;
  functionArn: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Lambda retries a failed asynchronous invocation this many times. */
  maximumRetryAttempts: number;
  /** Exactly the variables the stack sets on the function. */
  functionEnvironment: Record<string, string>;
}

export const PROJECT_ROOT = path.join(__dirname, "..");
/** The account id local emulators conventionally use. */
export const LOCAL_ACCOUNT_ID = "000000000000";

/** Stacks that have a Pulumi.<stack>.yaml in the project. */
export function availableStacks(root = PROJECT_ROOT): string[] {
  return fs
    .readdirSync(root)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => Boolean(stack))
    .sort();
}

function readYaml(file: string): Record<string, unknown> {
  try {
    return (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`${path.basename(file)}: cannot read it (${(err as Error).message.split("\n")[0]})`);
  }
}

/** Values of a stack file's `config:` as the CLI hands them over ("secure" values are not supported locally). */
function stackConfigValues(file: string): Record<string, string> {
  const config = (readYaml(file).config ?? {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return values;
}

/** `accountId` stands in for the AWS account in derived bucket names (tests compare with other stand-ins). */
export function loadStack(stack: string, root = PROJECT_ROOT, accountId = LOCAL_ACCOUNT_ID): LocalStack {
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  if (!/^[A-Za-z0-9._-]+$/.test(stack) || !fs.existsSync(stackFile)) {
    const stacks = availableStacks(root);
    throw new UsageError(`--stack ${stack}: no Pulumi.${stack}.yaml in ${root}${stacks.length ? `; stacks: ${stacks.join(", ")}` : ""}`);
  }
  const project = String(readYaml(path.join(root, "Pulumi.yaml")).name);
  const all = stackConfigValues(stackFile);
  let config: PipelineConfig;
  try {
    config = validateConfig(rawProjectConfig(all, project));
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`Pulumi.${stack}.yaml: ${err.message}`);
    throw err;
  }
  // The program asks aws-native for its region; aws:region is set alongside it.
  const region = all["aws-native:region"] ?? all["aws:region"] ?? "us-east-1";
  const bucket = (explicit: string | undefined, purpose: string) =>
    explicit ?? deriveBucketName({ project, stack, purpose, accountId, region });
  const sourceBucketName = bucket(config.sourceBucketName, Purpose.sourceBucket);
  const thumbnailBucketName = bucket(config.thumbnailBucketName, Purpose.thumbnailBucket);
  const tableName = physicalName(project, config.environment, Purpose.table);
  const functionName = physicalName(project, config.environment, Purpose.function);
  // Exactly the variables the stack sets on the function: one definition serves both.
  const variables = functionEnvironment<string>({ ...config, sourceBucketName, thumbnailBucketName, tableName });
  return {
    stack,
    project,
    config,
    region,
    accountId,
    sourceBucketName,
    thumbnailBucketName,
    tableName,
    functionName,
    functionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryMb: config.functionMemoryMb,
    timeoutSeconds: config.functionTimeoutSeconds,
    maximumRetryAttempts: config.asyncMaxRetryAttempts,
    functionEnvironment: variables,
  };
}
