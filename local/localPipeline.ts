/**
 * `npm start`: the whole pipeline on one machine. Local S3 and DynamoDB, the stack's buckets
 * and table, the bundled function in Lambda-like containers, and every upload's
 * ObjectCreated event delivered to it as S3 would; then the results gathered into --out.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { StartOptions } from "./cli/args";
import { startEmulators, type Emulators } from "./emulators";
import { EnvironmentError } from "../tools/cli";
import { checkInputs, resolveInputs, type CheckedInputs, type InputFile } from "./inputs";
import { prepareOutDir } from "./outDir";
import { ProgressBar } from "./progress";
import { provision } from "./provision";
import { formatSummary, type Report } from "./report";
import { Interrupted, Run, type PipelineIo } from "./uploadRun";
import { LambdaService } from "./runtime/lambdaService";
import { loadStack } from "./stack";
import { FaultInjector } from "./faults/injector";
import { hasFaults } from "./faults/spec";
import { watchDirectories } from "./watch";

export { Interrupted, type PipelineIo } from "./uploadRun";

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

async function uploadAll(run: Run, inputs: InputFile[], signal: AbortSignal): Promise<void> {
  // A few uploads in flight keep the containers busy without reading every file at once.
  const queue = [...inputs];
  const uploaders = Array.from({ length: Math.min(queue.length, Math.max(4, run.options.concurrency * 2)) }, async () => {
    for (let input = queue.shift(); input && !signal.aborted; input = queue.shift()) await run.upload(input);
  });
  await abortable(Promise.all(uploaders), signal);
}

export interface RunExtras {
  /** The result of checkInputs(options), when the caller has already run it. */
  inputs?: CheckedInputs;
  /** Variables laid over the stack's function environment (tests use it to break things). */
  functionEnvironment?: Record<string, string>;
  /** The function's memory in place of the stack's (tests prove the memory guard at a smaller size). */
  memoryMb?: number;
}

export async function runPipeline(options: StartOptions, io: PipelineIo, extras: RunExtras = {}): Promise<Report> {
  // Everything the user can get wrong is checked before any server starts.
  const stack = loadStack(options.stack);
  let inputs: InputFile[];
  let directories: string[] = [];
  let samplesDir: string | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    if (options.inputs.length) {
      ({ files: inputs, directories } = extras.inputs ?? checkInputs(options));
    } else {
      samplesDir = fs.mkdtempSync(path.join(os.tmpdir(), "thumbnail-samples-"));
      const dir = samplesDir;
      cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      io.stderr.write("No --input given: using the built-in sample set (made fresh for this run).\n");
      // jimp is loaded only when samples are made.
      const { writeSamples } = await import("./samples");
      await writeSamples(samplesDir);
      ({ files: inputs } = resolveInputs([samplesDir]));
    }
    const out = prepareOutDir(options.out);

    let emulators: Emulators;
    try {
      emulators = await startEmulators({ s3Port: options.s3Port, dynamoPort: options.dynamoPort });
    } catch (err) {
      throw new EnvironmentError((err as Error).message);
    }
    cleanups.push(() => emulators.close());
    await provision(emulators, stack);

    // The function's requests go through the fault proxies; the runner's own go straight to the servers.
    let faults: FaultInjector | undefined;
    let faultEndpoints: Record<string, string> = {};
    if (hasFaults(options.faults)) {
      const injector = (faults = new FaultInjector(options.faults, options.seed));
      cleanups.push(() => injector.close());
      faultEndpoints = await injector.startProxies(emulators);
      io.stderr.write(`Injecting faults: ${injector.describe()}\n`);
    }

    const lambda = await LambdaService.start({
      functionName: stack.functionName,
      functionArn: stack.functionArn,
      environment: { ...stack.functionEnvironment, ...extras.functionEnvironment, ...emulators.sdkEnvironment, ...faultEndpoints },
      crash: faults && (() => faults.crash()),
      memoryMb: extras.memoryMb ?? stack.memoryMb,
      timeoutSeconds: stack.timeoutSeconds,
      concurrency: options.concurrency,
    });
    // Containers must be gone before the servers they talk to.
    cleanups.push(() => lambda.close());
    if (!lambda.memoryCap.available) {
      io.stderr.write(
        `Containers are not capped at the function's ${extras.memoryMb ?? stack.memoryMb} MB (${lambda.memoryCap.why}): one that Lambda would kill for its memory keeps running here.\n`,
      );
    }

    const showProgress = options.progress === "always" || (options.progress === "auto" && Boolean(io.stderr.isTTY));
    const progress = new ProgressBar(showProgress, io.stderr);
    const run = new Run(options, stack, emulators, lambda, out, progress, io, faults);
    io.stderr.write(
      `Stack ${stack.stack}: s3://${stack.sourceBucketName} → ${stack.functionName} → s3://${stack.thumbnailBucketName} + ${stack.tableName}` +
        ` (S3 ${emulators.s3Endpoint}, DynamoDB ${emulators.dynamoEndpoint}); ${inputs.length} images, concurrency ${options.concurrency}\n`,
    );

    progress.expect(inputs.length);
    await uploadAll(run, inputs, io.signal);
    // Duplicate deliveries may still be running; their work is part of the run.
    await abortable(run.drain(), io.signal);
    progress.finish();
    const report = run.publish();
    io.stdout.write(formatSummary(report.summary) + "\n");
    io.stdout.write(`Thumbnails, records and index.html: ${out.root}${options.report ? `; report: ${options.report}` : ""}\n`);

    if (options.watch) {
      io.stderr.write(`Watching ${directories.join(", ")} for new, changed and removed images; Ctrl-C to stop.\n`);
      watchDirectories(
        directories,
        (input) => {
          progress.expect(1);
          run.upload(input).then(
            () => {
              progress.finish();
              const result = run.entries.get(input.key)?.result;
              run.publish();
              io.stdout.write(
                `${result?.status ?? "?"} ${input.key}${result?.reason ? ` (${result.reason})` : ""} ${result?.durationMs ?? 0} ms\n`,
              );
            },
            (err) => {
              progress.finish();
              if (!io.signal.aborted) io.stderr.write(`could not process ${input.key}: ${(err as Error).message}\n`);
            },
          );
        },
        io.signal,
        (removed) => {
          // The source object goes too, and the function handles its ObjectRemoved event.
          run.remove(removed).then(
            () => {
              const result = run.entries.get(removed.key)?.result;
              run.publish();
              io.stdout.write(`${result?.status ?? "?"} ${removed.key} (removed from the folder)\n`);
            },
            (err) => {
              if (!io.signal.aborted) io.stderr.write(`could not remove ${removed.key}: ${(err as Error).message}\n`);
            },
          );
        },
      );
      await new Promise<void>((resolve) => io.signal.addEventListener("abort", () => resolve(), { once: true }));
      return run.publish();
    }
    return report;
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
