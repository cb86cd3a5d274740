/**
 * Lambda entry point for S3 ObjectCreated notifications. Thin: parses the event, hands each
 * upload to processUpload, and turns transient failures into a thrown error so Lambda retries
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
import { sharedThumbnailer } from "./worker/isolatedThumbnailer";

export type { Dependencies, Outcome } from "./processUpload";

export interface InvocationSummary {
  outcomes: Outcome[];
}

/** Builds a handler over given dependencies (the exported `handler` uses ones built from the environment). */
export function createHandler(deps: Dependencies) {
  return async function handle(event: unknown, context?: Partial<Context>): Promise<InvocationSummary> {
    const logger: Logger = deps.logger;
    if (context?.awsRequestId) logger.addContext(context as Context);
    const { uploads, skipped } = parseS3Event(event);
    for (const s of skipped) {
      if (s.reason.startsWith("malformed")) logger.warn("skipped a malformed event record", s);
      else logger.info("skipped an event record", s);
    }
    if (uploads.length === 0 && skipped.length === 0) logger.warn("event holds no S3 records", { event });

    const outcomes: Outcome[] = [];
    const failures: { key: string; error: TransientError }[] = [];
    try {
      // One at a time: memory stays bounded by one image, and one failure never stops the rest.
      for (const upload of uploads) {
        try {
          outcomes.push(await processUpload(upload, deps));
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
    } finally {
      deps.metrics.publish();
    }
    if (failures.length > 0) {
      throw new TransientError(
        "invocation",
        `${failures.length} of ${uploads.length} uploads failed transiently and will be retried: ${failures.map((f) => `${f.key} (${f.error.message})`).join("; ")}`,
        { cause: failures[0].error },
      );
    }
    return { outcomes };
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
