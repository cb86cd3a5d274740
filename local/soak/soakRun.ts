/**
 * One soak run: the stack's buckets and table on the local servers, the bundled function in
 * Lambda-like containers, the faults on, and every planned upload put into the source bucket,
 * its event delivered (duplicated, reordered, retried, dead-lettered as the faults and the
 * function decide). What each upload went through is kept for the audit.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { startEmulators, type Emulators } from "../emulators";
import { FaultInjector } from "../faults/injector";
import type { FaultSpec } from "../faults/spec";
import { provision } from "../provision";
import { DeadLetterQueue } from "../runtime/deadLetterQueue";
import { EventDelivery, type Delivery } from "../runtime/eventDelivery";
import { LambdaService } from "../runtime/lambdaService";
import { Sequencer, toAwsS3Event, type S3Event } from "../s3Event";
import { loadStack, type LocalStack } from "../stack";
import { EnvironmentError } from "../../tools/cli";
import type { PlannedUpload } from "./corpus";

const EVENT_GRACE_MS = 10_000;

export interface SoakOptions {
  stack: string;
  concurrency: number;
  faults: FaultSpec;
  seed: number;
}

/** One upload and everything that happened to it. */
export interface UploadTrace {
  plan: PlannedUpload;
  /** ETag S3 gave the object, without quotes. */
  eTag?: string;
  /** The event as delivered to the function. */
  event?: S3Event;
  /** Every delivery of the event, the injected duplicates' included. */
  deliveries: Delivery[];
}

/** What the audit reads: the run's servers (directly, not through the fault proxies) and its traces. */
export interface SoakState {
  stack: LocalStack;
  emulators: Emulators;
  traces: UploadTrace[];
  deadLetters: DeadLetterQueue;
  faults: FaultInjector;
  lambda: LambdaService;
  wallMs: number;
}

export async function runSoak(
  plan: PlannedUpload[],
  options: SoakOptions,
  progress: (done: number, total: number) => void,
  /** Called with the end state before the servers close: the audit. */
  inspect: (state: SoakState) => Promise<void>,
): Promise<void> {
  const stack = loadStack(options.stack);
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    let emulators: Emulators;
    try {
      emulators = await startEmulators();
    } catch (err) {
      throw new EnvironmentError((err as Error).message);
    }
    cleanups.push(() => emulators.close());
    await provision(emulators, stack);
    const faults = new FaultInjector(options.faults, options.seed);
    cleanups.push(() => faults.close());
    const faultEndpoints = await faults.startProxies(emulators);
    const lambda = await LambdaService.start({
      functionName: stack.functionName,
      functionArn: stack.functionArn,
      environment: { ...stack.functionEnvironment, ...emulators.sdkEnvironment, ...faultEndpoints },
      memoryMb: stack.memoryMb,
      timeoutSeconds: stack.timeoutSeconds,
      concurrency: options.concurrency,
      crash: () => faults.crash(),
    });
    cleanups.push(() => lambda.close());

    const deadLetters = new DeadLetterQueue();
    const traces: UploadTrace[] = plan.map((p) => ({ plan: p, deliveries: [] }));
    const byEvent = new Map<unknown, UploadTrace>();
    let delivered = 0;
    const delivery = new EventDelivery(lambda, {
      functionArn: stack.functionArn,
      maximumRetryAttempts: stack.maximumRetryAttempts,
      concurrency: options.concurrency,
      deadLetters,
      faults,
      onDelivered: (d) => {
        byEvent.get(d.event)?.deliveries.push(d);
        if (!d.duplicate) progress(++delivered, plan.length);
      },
    });

    // Uploads of one key are sequential (S3's newest is the last written); s3rver's events come
    // in that order, so the nth event of a key is its nth upload.
    const awaitingEvent = new Map<string, UploadTrace[]>();
    const firstDeliveries: Promise<Delivery>[] = [];
    const sequencer = new Sequencer();
    emulators.onS3Event((record) => {
      if (record.s3.bucket.name !== stack.sourceBucketName || !record.eventName.startsWith("ObjectCreated:")) return;
      const trace = awaitingEvent.get(record.s3.object.key)?.shift();
      if (!trace) return;
      const event = toAwsS3Event(record, { region: stack.region, sequencer });
      trace.event = event;
      byEvent.set(event, trace);
      firstDeliveries.push(delivery.deliver(event));
    });

    const started = Date.now();
    const groups = new Map<string, UploadTrace[]>();
    for (const trace of traces) groups.set(trace.plan.key, [...(groups.get(trace.plan.key) ?? []), trace]);
    const queue = [...groups.values()];
    // Enough uploads in flight to keep a queue of events waiting (which reorder shuffles), not so
    // many that the whole run is queued at once.
    const backlog = options.concurrency * 8;
    const uploaders = Array.from({ length: Math.max(4, options.concurrency * 2) }, async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        while (firstDeliveries.length - delivered > backlog) await new Promise((resolve) => setTimeout(resolve, 20));
        for (const trace of group) {
          const list = awaitingEvent.get(trace.plan.key) ?? [];
          list.push(trace);
          awaitingEvent.set(trace.plan.key, list);
          const response = await emulators.s3
            .send(
              new PutObjectCommand({
                Bucket: stack.sourceBucketName,
                Key: trace.plan.key,
                Body: trace.plan.image.bytes,
                ContentType: trace.plan.image.contentType,
              }),
            )
            .catch((err: Error) => {
              throw new Error(`uploading ${JSON.stringify(trace.plan.key)} to the local S3 server failed: ${err.name}: ${err.message}`);
            });
          trace.eTag = response.ETag?.replace(/"/g, "");
        }
      }
    });
    await Promise.all(uploaders);
    // s3rver emits an upload's event as it stores it; one that never comes is left for the audit
    // to report, after a grace period.
    for (let waited = 0; traces.some((t) => !t.event) && waited < EVENT_GRACE_MS; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await Promise.all(firstDeliveries);
    await delivery.drain();
    const wallMs = Date.now() - started;
    await inspect({ stack, emulators, traces, deadLetters, faults, lambda, wallMs });
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: one failed cleanup must not keep the others from running.
      }
    }
  }
}
