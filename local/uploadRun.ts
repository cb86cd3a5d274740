/**
 * One run's uploads and their results: each file is uploaded to the local source bucket, its
 * ObjectCreated event is turned into what S3 would send and delivered to the function
 * (retried as Lambda retries asynchronous invocations), and what the function left behind —
 * record, thumbnails, log — is gathered into the out directory.
 */
import * as fs from "fs";
import * as path from "path";
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { RecordStatus } from "../contract/record";
import type { StartOptions } from "./cli/args";
import { MetricTotals, parseEmf } from "./emf";
import type { Emulators, S3EventRecordFromEmulator } from "./emulators";
import type { InputFile } from "./inputs";
import { writeFileUnder, type OutDir } from "./outDir";
import { renderPage, type PageImage } from "./page";
import type { ProgressBar } from "./progress";
import { RecordReader, recordFacts, type MetadataRecord } from "./records";
import { summarize, type ImageResult, type Report } from "./report";
import type { LambdaService } from "./runtime/lambdaService";
import { DeadLetterQueue } from "./runtime/deadLetterQueue";
import { EventDelivery } from "./runtime/eventDelivery";
import type { FaultInjector } from "./faults/injector";
import { formatFaultSpec } from "./faults/spec";
import { Sequencer, toAwsS3Event } from "./s3Event";
import type { LocalStack } from "./stack";

export class Interrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "Interrupted";
  }
}

export interface PipelineIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on Ctrl-C: the run stops, cleans up and rejects with Interrupted (watch mode resolves). */
  signal: AbortSignal;
}

const CONTENT_TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".gif": "image/gif",
  ".bmp": "image/bmp",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".webp": "image/webp",
  ".heic": "image/heic",
};

/**
 * s3rver stores each object as a file named after the key's last segment plus a 15-byte suffix,
 * so a segment past 240 bytes exceeds the 255-byte file-name limit and crashes the server.
 */
const S3RVER_MAX_SEGMENT_BYTES = 240;

interface Entry {
  input: InputFile;
  result?: ImageResult;
  record?: MetadataRecord;
  thumbnailFiles: string[];
  logFile?: string;
}

/** Everything one run holds; closed exactly once whatever happens. */
export class Run {
  readonly metrics = new MetricTotals();
  readonly entries = new Map<string, Entry>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private readonly sequencer = new Sequencer();
  private readonly reader: RecordReader;
  private readonly started = Date.now();
  private finished = this.started;
  coldStarts = 0;
  retries = 0;
  readonly deadLetters = new DeadLetterQueue();
  private readonly delivery: EventDelivery;

  constructor(
    readonly options: StartOptions,
    readonly stack: LocalStack,
    readonly emulators: Emulators,
    readonly lambda: LambdaService,
    readonly out: OutDir,
    readonly progress: ProgressBar,
    readonly io: PipelineIo,
    readonly faults?: FaultInjector,
  ) {
    this.delivery = new EventDelivery(lambda, {
      functionArn: stack.functionArn,
      maximumRetryAttempts: stack.maximumRetryAttempts,
      concurrency: options.concurrency,
      deadLetters: this.deadLetters,
      faults,
      signal: io.signal,
      onAttempt: (attempt, delivery) => {
        // Every invocation counts, a duplicate's too: it is what CloudWatch would receive.
        if (attempt.coldStart) this.coldStarts++;
        if (delivery.attempts.length > 1) this.retries++;
        this.metrics.add(parseEmf(attempt.output));
      },
    });
    this.reader = new RecordReader(emulators, stack.tableName, stack.thumbnailBucketName);
    emulators.onS3Event((record) => {
      // Only the source bucket notifies the function, of ObjectCreated:* and ObjectRemoved:* events (as the stack's trigger).
      if (record.s3.bucket.name !== stack.sourceBucketName) return;
      if (!record.eventName.startsWith("ObjectCreated:") && !record.eventName.startsWith("ObjectRemoved:")) return;
      // Errors after shutdown began (servers gone) have nowhere useful to go.
      this.deliver(record).catch(() => undefined);
    });
  }

  /** Uploads a file; resolves when its event has been processed and its results gathered. */
  async upload(input: InputFile): Promise<void> {
    const done = new Promise<void>((resolve) => {
      const list = this.waiters.get(input.key) ?? [];
      list.push(resolve);
      this.waiters.set(input.key, list);
    });
    this.entries.set(input.key, { input, thumbnailFiles: [] });
    try {
      const tooLong = input.key.split("/").find((segment) => Buffer.byteLength(segment) > S3RVER_MAX_SEGMENT_BYTES);
      if (tooLong) {
        throw new Error(
          `a key segment of ${Buffer.byteLength(tooLong)} bytes is longer than the local S3 server can store (${S3RVER_MAX_SEGMENT_BYTES}); real S3 takes keys up to 1024 bytes`,
        );
      }
      await this.emulators.s3.send(
        new PutObjectCommand({
          Bucket: this.stack.sourceBucketName,
          Key: input.key,
          Body: fs.readFileSync(input.file),
          ContentType: CONTENT_TYPES[path.extname(input.file).toLowerCase()] ?? "application/octet-stream",
        }),
      );
    } catch (err) {
      if (this.io.signal.aborted) throw new Interrupted();
      // Never dropped silently: the file is in the report, as not uploaded.
      this.entries.get(input.key)!.result = this.failure(input.key, 0, 0, "UploadError", (err as Error).message);
      this.progress.tick(true);
      for (const resolve of this.waiters.get(input.key)?.splice(0) ?? []) resolve();
    }
    await done;
  }

  /** Deletes a source object (its file was removed); resolves when the removal has been handled and the record re-read. */
  async remove(input: InputFile): Promise<void> {
    const done = new Promise<void>((resolve) => {
      const list = this.waiters.get(input.key) ?? [];
      list.push(resolve);
      this.waiters.set(input.key, list);
    });
    await this.emulators.s3.send(new DeleteObjectCommand({ Bucket: this.stack.sourceBucketName, Key: input.key }));
    await done;
  }

  private async deliver(record: S3EventRecordFromEmulator): Promise<void> {
    const key = record.s3.object.key;
    const event = toAwsS3Event(record, { region: this.stack.region, sequencer: this.sequencer });
    const delivery = await this.delivery.deliver(event);
    const attempts = delivery.attempts.length;
    const outcome = delivery.attempts[attempts - 1] ?? { durationMs: 0, error: "not delivered", output: "" };
    // What the function printed, per attempt: what CloudWatch Logs would hold for this event.
    const log = delivery.attempts.flatMap((attempt, i) => [
      `--- attempt ${i + 1}${attempt.coldStart ? " (cold start)" : ""}: ${attempt.durationMs.toFixed(1)} ms${attempt.error ? `, ${attempt.error}` : ""}\n`,
      attempt.output,
    ]);
    // Invocations cut short by Ctrl-C are not results.
    if (this.io.signal.aborted) return;

    const entry = this.entries.get(key) ?? { input: { key, file: "" }, thumbnailFiles: [] };
    this.entries.set(key, entry);
    let result: ImageResult;
    try {
      writeFileUnder(this.out, `logs/${key}.log`, log.join(""));
      entry.logFile = `logs/${key}.log`;
      const object = event.Records[0].s3.object;
      const upload = { bucket: record.s3.bucket.name, key, sequencer: object.sequencer, eTag: object.eTag, versionId: object.versionId };
      result = await this.gather(entry, upload, outcome.durationMs, attempts, outcome.error);
    } catch (err) {
      result = this.failure(key, outcome.durationMs, attempts, "LocalRunError", `gathering results: ${(err as Error).message}`);
    }
    entry.result = result;
    this.finished = Date.now();
    this.progress.tick(result.status === "FAILED");
    for (const resolve of this.waiters.get(key)?.splice(0) ?? []) resolve();
  }

  private failure(key: string, durationMs: number, attempts: number, reason: string, error?: string): ImageResult {
    return {
      key,
      imageId: null,
      status: "FAILED",
      reason,
      width: null,
      height: null,
      thumbnails: [],
      durationMs: Math.round(durationMs * 10) / 10,
      attempts,
      error,
    };
  }

  private async gather(
    entry: Entry,
    upload: Parameters<RecordReader["recordOf"]>[0],
    durationMs: number,
    attempts: number,
    error: string | undefined,
  ): Promise<ImageResult> {
    const key = entry.input.key;
    // A removed file has no bytes left; the original already copied stays for the page.
    if (entry.input.file && fs.existsSync(entry.input.file))
      writeFileUnder(this.out, `originals/${key}`, fs.readFileSync(entry.input.file));
    let record: MetadataRecord | undefined;
    try {
      record = await this.reader.recordOf(upload);
    } catch (err) {
      // The handler's own error says more than a failed look-up after it.
      if (!error) throw err;
    }
    entry.record = record;
    if (record) writeFileUnder(this.out, `records/${key}.json`, JSON.stringify(record, null, 2) + "\n");
    if (error) {
      // Lambda would now hand the event to the on-failure destination: not lost, but not done.
      return this.failure(key, durationMs, attempts, "HandlerError", error);
    }
    if (!record) return this.failure(key, durationMs, attempts, "NoRecord", "the handler returned but wrote no metadata record");
    const facts = recordFacts(record);
    entry.thumbnailFiles = [];
    const status: ImageResult["status"] =
      facts.status === RecordStatus.Succeeded || facts.status === RecordStatus.Deleted || facts.status === RecordStatus.Replaced
        ? facts.status
        : "FAILED";
    // Only a SUCCEEDED record's thumbnails are sure to exist; a deleted or replaced one's are gone.
    for (const thumbnail of status === "SUCCEEDED" ? facts.thumbnails : []) {
      const relative = `thumbnails/${thumbnail.key}`;
      writeFileUnder(this.out, relative, await this.reader.thumbnail(thumbnail.key));
      entry.thumbnailFiles.push(relative);
    }
    return {
      key,
      imageId: facts.imageId ?? null,
      status,
      reason: status !== "FAILED" ? null : (facts.reason ?? `status ${facts.status ?? "missing"}`),
      width: facts.width ?? null,
      height: facts.height ?? null,
      thumbnails: (status === "SUCCEEDED" ? facts.thumbnails : []).map((t) => ({
        key: t.key,
        width: t.width ?? null,
        height: t.height ?? null,
        bytes: t.bytes ?? null,
      })),
      durationMs: Math.round(durationMs * 10) / 10,
      attempts,
    };
  }

  /** Resolves when every delivery is over, duplicates' included. */
  drain(): Promise<void> {
    return this.delivery.drain();
  }

  report(): Report {
    const images = [...this.entries.values()].filter((e) => e.result).map((e) => e.result!);
    const summary = summarize(images, {
      stack: this.stack.stack,
      wallSeconds: (this.finished - this.started) / 1000,
      concurrency: this.options.concurrency,
      coldStarts: this.coldStarts,
      peakContainerMemoryBytes: this.lambda.peakContainerRssBytes,
      peakRunnerMemoryBytes: process.resourceUsage().maxRSS * 1024,
      functionMemoryMb: this.lambda.memoryMb,
      metrics: this.metrics.list(),
      retries: this.retries,
      deadLetters: this.deadLetters.messages.length,
      ...(this.faults
        ? { faults: { spec: formatFaultSpec(this.faults.spec), seed: this.faults.seed, injected: this.faults.counts.toJSON() } }
        : {}),
    });
    return { summary, images };
  }

  /** Writes index.html and the --report file from everything processed so far. */
  publish(): Report {
    const report = this.report();
    const pageImages: PageImage[] = [...this.entries.values()]
      .filter((e) => e.result)
      .map((e) => ({
        result: e.result!,
        original: `originals/${e.input.key}`,
        thumbnails: e.thumbnailFiles,
        record: e.record,
        log: e.logFile,
      }));
    writeFileUnder(this.out, "index.html", renderPage(report.summary, pageImages));
    if (this.options.report) {
      fs.mkdirSync(path.dirname(path.resolve(this.options.report)), { recursive: true });
      fs.writeFileSync(this.options.report, JSON.stringify(report, null, 2) + "\n");
    }
    return report;
  }
}
