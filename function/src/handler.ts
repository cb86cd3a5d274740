/**
 * Lambda entry point for S3 ObjectCreated and ObjectRemoved notifications. Thin: parses the
 * event, hands each upload to processUpload and each removal to processRemoval, and turns transient failures into a thrown error so Lambda retries
 * the event (uploads already recorded are skipped on the retry).
 *
 * Configuration and clients are created once per container, on the first invocation, or at
 * init when running in Lambda, so a misconfigured stack logs a clear error at cold start.
 */
import type { Context } from "aws-lambda";
import type { Logger } from "@aws-lambda-powertools/logger";
import { createAwsClients } from "./adapters/awsClients";
import { decodeLimitsOf, readConfig } from "./config";
import { TransientError } from "./core/errors";
import { createLogger, createMetrics, PipelineMetrics } from "./observability";
import { processUpload, type Dependencies, type Outcome } from "./processUpload";
import { parseS3Event } from "./adapters/s3Event";
import { processRemoval, type RemovalOutcome } from "./lifecycle";
import { sharedThumbnailer } from "./worker/isolatedThumbnailer";

export type { Dependencies, Outcome } from "./processUpload";

/**
 * Time kept back from the invocation's deadline for writing the record of the image being
 * stopped (a DynamoDB PutItem, the metrics flush and, on a cold connection, a TLS handshake).
 */
export const RECORD_SAFETY_MARGIN_MS = 1_500;
/** Time an earlier upload of the event may use (a duplicate's record read) and still leave the next one the invocation's time "to itself". */
const FAIR_SHARE_SLACK_MS = 1_000;

export interface InvocationSummary {
  outcomes: Outcome[];
  removals: RemovalOutcome[];
}

/** Builds a handler over given dependencies (the exported `handler` uses ones built from the environment). */
export function createHandler(deps: Dependencies) {
  return async function handle(event: unknown, context?: Partial<Context>): Promise<InvocationSummary> {
    const logger: Logger = deps.logger;
    if (context?.awsRequestId) logger.addContext(context as Context);
    const { uploads, removals: removed, skipped } = parseS3Event(event);
    for (const s of skipped) {
      if (s.reason.startsWith("malformed")) logger.warn("skipped a malformed event record", s);
      else logger.info("skipped an event record", s);
    }
    if (uploads.length === 0 && removed.length === 0 && skipped.length === 0) logger.warn("event holds no S3 records", { event });

    // Lambda's deadline: work stops in time to write its record instead of being killed with it.
    const remaining = typeof context?.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : undefined;
    const invocationStart = Date.now();
    const stopAt = remaining === undefined ? undefined : invocationStart + remaining - RECORD_SAFETY_MARGIN_MS;
    const outcomes: Outcome[] = [];
    const removals: RemovalOutcome[] = [];
    const failures: { key: string; error: TransientError }[] = [];
    try {
      // One at a time: memory stays bounded by one image, and one failure never stops the rest.
      for (const upload of uploads) {
        try {
          const time = stopAt === undefined ? undefined : { stopAt, hadTimeToItself: Date.now() - invocationStart < FAIR_SHARE_SLACK_MS };
          outcomes.push(await processUpload(upload, deps, time));
        } catch (err) {
          const error =
            err instanceof TransientError ? err : new TransientError(`s3://${upload.bucket}/${upload.key}`, String(err), { cause: err });
          logger.error("transient failure; the event will be retried", {
            bucket: upload.bucket,
            key: upload.key,
            operation: error.operation,
            error,
          });
          failures.push({ key: upload.key, error });
        }
      }
      for (const removal of removed) {
        try {
          removals.push(await processRemoval(removal, deps));
        } catch (err) {
          const error =
            err instanceof TransientError ? err : new TransientError(`s3://${removal.bucket}/${removal.key}`, String(err), { cause: err });
          logger.error("transient failure handling a removal; the event will be retried", {
            bucket: removal.bucket,
            key: removal.key,
            eventName: removal.eventName,
            operation: error.operation,
            error,
          });
          failures.push({ key: removal.key, error });
        }
      }
    } finally {
      deps.metrics.publish();
    }
    const recycle = failures.find((f) => f.error.recycleProcess);
    if (recycle && deps.recycleProcess) {
      // The rest of the event is recorded; the retry of this upload must not meet the same memory.
      logger.error("ending the process so the retry runs in a fresh one", { key: recycle.key, error: recycle.error });
      deps.recycleProcess(recycle.error.message);
    }
    if (failures.length > 0) {
      throw new TransientError(
        "invocation",
        `${failures.length} of ${uploads.length + removed.length} records failed transiently and will be retried: ${failures.map((f) => `${f.key} (${f.error.message})`).join("; ")}`,
        { cause: failures[0].error },
      );
    }
    return { outcomes, removals };
  };
}

const logger = createLogger();
let defaults: Dependencies | undefined;

/** Reads and validates the environment and creates the clients, once per container. */
function defaultDependencies(): Dependencies {
  if (!defaults) {
    const config = readConfig(process.env);
    defaults = {
      config,
      ...createAwsClients(),
      logger,
      metrics: new PipelineMetrics(createMetrics(config.environment)),
      // Lambda reports the exit as Runtime.ExitError and retries the event in a new sandbox.
      recycleProcess: () => process.exit(1),
    };
  }
  return defaults;
}

if (process.env.AWS_LAMBDA_FUNCTION_NAME) {
  try {
    // The decoder thread boots during init, alongside the rest of it, not on the first image.
    void sharedThumbnailer(decodeLimitsOf(defaultDependencies().config)).warm();
  } catch (err) {
    // Logged at init; every invocation then fails with the same message until the stack is fixed.
    logger.error("the function is misconfigured", { error: err as Error });
  }
}

export async function handler(event: unknown, context?: Partial<Context>): Promise<InvocationSummary> {
  let deps: Dependencies;
  try {
    deps = defaultDependencies();
  } catch (err) {
    logger.error("the function is misconfigured", { error: err as Error });
    throw err;
  }
  return createHandler(deps)(event, context);
}
