/**
 * `npm run redrive -- --stack <name>`: after the cause of failures is fixed, replays the events
 * waiting in the stack's dead-letter queue to the function.
 *
 * Each message is a Lambda on-failure destination record; the original S3 event is its
 * `requestPayload`. By default the event is invoked asynchronously, the same path S3 takes, so
 * a replay that fails again is retried and lands in the queue again: nothing is lost, and the
 * message is deleted only after Lambda has accepted the new invocation. `--wait` invokes
 * synchronously and deletes only after the function succeeded. `--dry-run` lists what would be
 * replayed and leaves every message in the queue, visible again at once.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
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

const USAGE = `usage: npm run redrive -- --stack <name> [--outputs <file>] [--dry-run] [--wait] [--limit <n>]
  --stack <name>     Pulumi stack whose dead-letter queue to replay (outputs read with the Pulumi CLI)
  --outputs <file>   read the stack's outputs from this file (pulumi stack output --json) instead
  --dry-run          list what would be replayed; change nothing
  --wait             invoke synchronously; delete a message only when the function succeeded
  --limit <n>        replay at most n messages (default: all)`;

/** A Lambda on-failure destination record, as the function's dead-letter queue receives it. */
export interface DestinationRecord {
  timestamp?: string;
  requestContext: { requestId?: string; functionArn: string; condition?: string; approximateInvokeCount?: number };
  requestPayload: unknown;
  responseContext?: { statusCode?: number; functionError?: string };
  responsePayload?: { errorType?: string; errorMessage?: string } | unknown;
}

/** The destination record in a message body, or an Error saying why it is not one. */
export function parseDestinationRecord(body: string | undefined): DestinationRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? "");
  } catch {
    throw new Error("body is not JSON");
  }
  if (parsed === null || typeof parsed !== "object") throw new Error("body is not a JSON object");
  const candidate = parsed as { requestContext?: { functionArn?: unknown }; requestPayload?: unknown };
  if (typeof candidate.requestContext?.functionArn !== "string")
    throw new Error("no requestContext.functionArn (not a Lambda destination record)");
  if (candidate.requestPayload === undefined || candidate.requestPayload === null)
    throw new Error("no requestPayload (the original event is missing)");
  return parsed as DestinationRecord;
}

/** Function name from a name, a function ARN, or a qualified function ARN. */
export function functionNameOf(nameOrArn: string): string {
  const parts = nameOrArn.split(":");
  return parts.length >= 7 && parts[0] === "arn" ? parts[6] : nameOrArn;
}

/** The uploads an S3 event names, for progress lines ("s3://bucket/key"). */
export function describePayload(payload: unknown): string {
  const records = (payload as { Records?: { s3?: { bucket?: { name?: string }; object?: { key?: string } } }[] } | undefined)?.Records;
  if (!Array.isArray(records)) return "event without S3 records";
  return records
    .map((r) => {
      const bucket = r?.s3?.bucket?.name ?? "?";
      const raw = String(r?.s3?.object?.key ?? "?");
      let key = raw;
      try {
        key = decodeURIComponent(raw.replace(/\+/g, " "));
      } catch {
        // Shown as received when it is not valid URL encoding.
      }
      return `s3://${bucket}/${key}`;
    })
    .join(", ");
}

function whyItFailed(record: DestinationRecord): string {
  const response = record.responsePayload as { errorType?: string; errorMessage?: string } | undefined;
  const error = [response?.errorType, response?.errorMessage].filter(Boolean).join(": ");
  const attempts = record.requestContext.approximateInvokeCount;
  return [record.requestContext.condition, attempts ? `${attempts} attempts` : "", error].filter(Boolean).join(", ");
}

export interface RedriveOptions {
  queueUrl: string;
  /** The stack's function: name or ARN. Records of any other function are left in the queue. */
  functionName: string;
  dryRun?: boolean;
  /** Invoke synchronously and delete only on success. */
  wait?: boolean;
  /** At most this many messages (default: all). */
  limit?: number;
  /** Long-poll wait per receive, seconds (default 2). */
  waitTimeSeconds?: number;
  log?: (line: string) => void;
}

export interface RedriveResult {
  /** Messages received from the queue. */
  received: number;
  /** Replayed and deleted (or, in a dry run, that would be). */
  replayed: number;
  /** Left in the queue: not a destination record of this function. */
  skipped: { messageId: string; reason: string }[];
  /** Left in the queue: the invocation was refused or (with wait) failed again. */
  failed: { messageId: string; error: string }[];
}

/** Replays the dead-letter queue's events; see the file comment for the guarantees. */
export async function redrive(sqs: SQSClient, lambda: LambdaClient, options: RedriveOptions): Promise<RedriveResult> {
  const log = options.log ?? (() => undefined);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const ourFunction = functionNameOf(options.functionName);
  // Long enough that a message being replayed is not received again in this run: a synchronous
  // invocation may take the function's whole timeout (at most 15 minutes).
  const visibilityTimeout = options.wait ? 960 : 120;
  const result: RedriveResult = { received: 0, replayed: 0, skipped: [], failed: [] };
  const seen = new Set<string>();
  const toReleaseAfterDryRun: string[] = [];
  const verb = options.dryRun ? "would replay" : "replayed";

  const receive = async (max: number): Promise<Message[]> => {
    try {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: options.waitTimeSeconds ?? 2,
          VisibilityTimeout: visibilityTimeout,
        }),
      );
      return r.Messages ?? [];
    } catch (err) {
      throw explainAwsError(err, `sqs:ReceiveMessage on ${options.queueUrl}`);
    }
  };
  const remove = async (m: Message) => {
    try {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: m.ReceiptHandle }));
    } catch (err) {
      throw explainAwsError(
        err,
        `sqs:DeleteMessage on ${options.queueUrl} (the event was replayed; a rerun would replay it once more, which the function tolerates)`,
      );
    }
  };

  log(`${options.dryRun ? "dry run: " : ""}replaying ${options.queueUrl} to ${ourFunction}${options.wait ? " (synchronously)" : ""}`);
  while (result.received < limit) {
    const batch = await receive(Math.min(10, limit - result.received));
    const fresh = batch.filter((m) => !seen.has(m.MessageId ?? ""));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      const id = message.MessageId ?? "?";
      seen.add(id);
      result.received++;
      if (options.dryRun && message.ReceiptHandle) toReleaseAfterDryRun.push(message.ReceiptHandle);

      let record: DestinationRecord;
      try {
        record = parseDestinationRecord(message.Body);
      } catch (err) {
        result.skipped.push({ messageId: id, reason: (err as Error).message });
        log(`  skipped ${id}: ${(err as Error).message}; left in the queue`);
        continue;
      }
      const recordFunction = functionNameOf(record.requestContext.functionArn);
      if (recordFunction !== ourFunction) {
        const reason = `a record of function ${recordFunction}, not ${ourFunction}`;
        result.skipped.push({ messageId: id, reason });
        log(`  skipped ${id}: ${reason}; left in the queue`);
        continue;
      }

      const what = `${describePayload(record.requestPayload)} (${whyItFailed(record)})`;
      if (options.dryRun) {
        result.replayed++;
        log(`  ${verb} ${id}: ${what}`);
        continue;
      }
      let error: string | undefined;
      try {
        const r = await lambda.send(
          new InvokeCommand({
            FunctionName: options.functionName,
            InvocationType: options.wait ? "RequestResponse" : "Event",
            Payload: Buffer.from(JSON.stringify(record.requestPayload)),
          }),
        );
        if (r.FunctionError) {
          const payload = r.Payload ? Buffer.from(r.Payload).toString("utf8") : "";
          error = `the function failed again (${r.FunctionError}): ${payload.slice(0, 300)}`;
        } else if (r.StatusCode !== (options.wait ? 200 : 202)) {
          error = `Lambda answered status ${r.StatusCode}`;
        }
      } catch (err) {
        const explained = explainAwsError(err, `lambda:InvokeFunction on ${options.functionName}`);
        if (explained instanceof UsageError) throw explained;
        error = explained.message;
      }
      if (error) {
        result.failed.push({ messageId: id, error });
        log(`  FAILED ${id}: ${what}: ${error}; left in the queue`);
        continue;
      }
      await remove(message);
      result.replayed++;
      log(`  ${verb} ${id}: ${what}`);
    }
    log(
      `progress: ${result.received} received, ${result.replayed} ${verb}, ${result.skipped.length} skipped, ${result.failed.length} failed`,
    );
  }

  if (toReleaseAfterDryRun.length > 0) {
    // Visible again at once, so a dry run does not delay a real redrive.
    for (const handle of toReleaseAfterDryRun) {
      try {
        await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: options.queueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }));
      } catch (err) {
        log(`  note: could not make a message visible again (${(err as Error).message}); it reappears after ${visibilityTimeout} s`);
      }
    }
  }
  log(
    `done: ${result.received} received, ${result.replayed} ${verb}, ${result.skipped.length} skipped, ${result.failed.length} failed` +
      (result.received === 0 ? " (the queue is empty)" : ""),
  );
  return result;
}

export interface RedriveDependencies {
  readOutputs?: (source: StackSource) => StackOutputs;
  /** Clients for the region; the caller keeps ownership of clients it passes. */
  clients?: (region: string) => { sqs: SQSClient; lambda: LambdaClient };
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

function parseCommandLine(argv: string[]) {
  const values = parseOptions(
    argv,
    {
      ...STACK_SOURCE_OPTIONS,
      "dry-run": { type: "boolean", default: false },
      wait: { type: "boolean", default: false },
      limit: { type: "string" },
    },
    USAGE,
  );
  const limit = values.limit === undefined ? undefined : integerOption(values.limit, "--limit", 1, "messages");
  return { ...values, limit };
}

export async function main(argv: string[], deps: RedriveDependencies = {}): Promise<number> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const args = parseCommandLine(argv);
  if (args.help) {
    log(USAGE);
    return 0;
  }
  const source: StackSource = { stack: args.stack, outputsFile: args.outputs };
  const outputs = (deps.readOutputs ?? readStackOutputs)(source);
  const queueUrl = requireOutput(outputs, StackOutput.deadLetterQueueUrl, source);
  const functionName =
    typeof outputs[StackOutput.functionName] === "string" && outputs[StackOutput.functionName]
      ? (outputs[StackOutput.functionName] as string)
      : requireOutput(outputs, StackOutput.functionArn, source);
  const region = regionOf(outputs, source, deps.env);
  const { sqs, lambda } = deps.clients?.(region) ?? { sqs: new SQSClient({ region }), lambda: new LambdaClient({ region }) };
  try {
    const result = await redrive(sqs, lambda, {
      queueUrl,
      functionName,
      dryRun: args["dry-run"],
      wait: args.wait,
      limit: args.limit,
      log,
    });
    return result.failed.length > 0 ? 1 : 0;
  } finally {
    if (!deps.clients) {
      sqs.destroy();
      lambda.destroy();
    }
  }
}

if (require.main === module) runCli(main);
