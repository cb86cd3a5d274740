/**
 * How the operator commands find a stack: its outputs, read with `pulumi stack output --json`
 * when the Pulumi CLI is installed, or from a file holding that command's output (`--outputs`),
 * for machines without the CLI or for scripts. Also the AWS error wording the
 * commands share, so every failure tells the operator what is missing and how to supply it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import type { StackOutputName } from "../../contract/stackOutputs";
import { UsageError } from "../cli";

/** The stack outputs the operator commands read, by what they are for; the names are the contract's. */
export const StackOutput = {
  region: "region",
  functionName: "thumbnailFunctionName",
  functionArn: "thumbnailFunctionArn",
  metadataTableName: "metadataTableName",
  sourceBucketName: "sourceBucketName",
  deadLetterQueueUrl: "deadLetterQueueUrl",
  deadLetterQueueArn: "deadLetterQueueArn",
} as const satisfies Record<string, StackOutputName>;

export interface StackSource {
  /** Pulumi stack name (e.g. dev, prod, or org/project/prod). */
  stack?: string;
  /** File holding `pulumi stack output --json` of the stack. */
  outputsFile?: string;
}

export type StackOutputs = Record<string, unknown>;

/** Runs a command; injectable so tests need no Pulumi CLI. */
export type CommandRunner = (
  command: string,
  args: string[],
) => { status: number | null; stdout: string; stderr: string; error?: NodeJS.ErrnoException };

const runCommand: CommandRunner = (command, args) => {
  const r = spawnSync(command, args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", error: r.error };
};

function describe(source: StackSource): string {
  return source.outputsFile ? `outputs file ${source.outputsFile}` : `stack "${source.stack}"`;
}

/** The options every operator command takes to find its stack (and --help), for parseOptions. */
export const STACK_SOURCE_OPTIONS = {
  stack: { type: "string" },
  outputs: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Reads the stack's outputs from the file or, without one, through the Pulumi CLI. */
export function readStackOutputs(source: StackSource, run: CommandRunner = runCommand): StackOutputs {
  let text: string;
  if (source.outputsFile) {
    try {
      text = fs.readFileSync(source.outputsFile, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(
        code === "ENOENT"
          ? `outputs file ${source.outputsFile} does not exist; write it with: pulumi stack output --json --stack <name> > ${source.outputsFile}`
          : `cannot read outputs file ${source.outputsFile}: ${(err as Error).message}`,
      );
    }
  } else if (source.stack) {
    const r = run("pulumi", ["stack", "output", "--json", "--stack", source.stack]);
    if (r.error?.code === "ENOENT") {
      throw new UsageError(
        `the Pulumi CLI is not installed here, so the outputs of stack "${source.stack}" cannot be read; ` +
          `on a machine with the CLI run: pulumi stack output --json --stack ${source.stack} > outputs.json, then pass --outputs outputs.json`,
      );
    }
    if (r.error || r.status !== 0) {
      const detail = (r.stderr || r.error?.message || "").trim();
      throw new UsageError(
        `pulumi stack output --stack ${source.stack} failed${detail ? `: ${detail}` : ""} ` +
          "(is the stack name right, and are you logged in to its backend with `pulumi login`?)",
      );
    }
    text = r.stdout;
  } else {
    throw new UsageError(
      "say which stack: --stack <name> (read with the Pulumi CLI) or --outputs <file> (from `pulumi stack output --json`)",
    );
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `${describe(source)}: the outputs are not JSON (${(err as Error).message}); expected what \`pulumi stack output --json\` prints`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UsageError(
      `${describe(source)}: expected a JSON object of outputs, got ${Array.isArray(parsed) ? "an array" : JSON.stringify(parsed)}`,
    );
  }
  return parsed as StackOutputs;
}

/** The named output as a non-empty string, or an error naming the output and the stack. */
export function requireOutput(outputs: StackOutputs, name: StackOutputName, source: StackSource): string {
  const value = outputs[name];
  if (typeof value !== "string" || value.trim() === "") {
    const present = Object.keys(outputs).sort().join(", ") || "none";
    throw new UsageError(
      `${describe(source)} has no output "${name}"${value === undefined ? "" : ` (its value is ${JSON.stringify(value)})`}; ` +
        `outputs present: ${present}. Deploy the current version of this program to the stack (pulumi up) and retry.`,
    );
  }
  return value;
}

/** The stack's region: its `region` output, else AWS_REGION / AWS_DEFAULT_REGION. */
export function regionOf(outputs: StackOutputs, source: StackSource, env: NodeJS.ProcessEnv = process.env): string {
  const fromOutputs = outputs[StackOutput.region];
  if (typeof fromOutputs === "string" && fromOutputs) return fromOutputs;
  const fromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  throw new UsageError(
    `${describe(source)} has no output "${StackOutput.region}" and AWS_REGION is not set; set AWS_REGION to the stack's region`,
  );
}

/**
 * Turns an AWS SDK error into an UsageError that says what the operator can do about it.
 * `action` names the call, e.g. "sqs:ReceiveMessage on <queue url>".
 */
export function explainAwsError(err: unknown, action: string): Error {
  if (err instanceof UsageError) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? "";
  const message = e?.message ?? String(err);
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    return new UsageError(
      `no AWS credentials found for ${action}: set AWS_PROFILE (after \`aws sso login\` if you use SSO) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then retry`,
    );
  }
  if (/ExpiredToken|TokenRefreshRequired/i.test(name) || /token .*expired/i.test(message)) {
    return new UsageError(`your AWS session has expired (${action}); sign in again (e.g. \`aws sso login\`) and retry`);
  }
  if (/AccessDenied|UnauthorizedOperation|AccessDeniedException/i.test(name) || e?.$metadata?.httpStatusCode === 403) {
    return new UsageError(`access denied: ${action} (${message}); your identity needs that permission`);
  }
  if (/NonExistentQueue|QueueDoesNotExist/i.test(name)) {
    return new UsageError(
      `${action}: the queue does not exist (${message}); was the stack destroyed, or are you in the wrong account or region?`,
    );
  }
  if (name === "ResourceNotFoundException") {
    return new UsageError(`${action}: not found (${message}); is the stack deployed in this account and region?`);
  }
  return new Error(`${action} failed: ${name ? `${name}: ` : ""}${message}`);
}
