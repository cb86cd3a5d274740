/**
 * The backstop behind every decoder: the thumbnail core runs in a worker thread, kept warm and
 * reused image after image, under a time budget and a memory bound. A decode that overruns
 * either is stopped (the thread is terminated; a fresh one serves the next image) and ends as
 * a PermanentError of its own reason, so one hostile upload becomes one FAILED record instead
 * of a hung or killed invocation.
 *
 * Memory: a worker's resourceLimits cap only its V8 heap, while decoders hold pixels in
 * Buffers and WASM memory outside it. So the bound is on the whole process's resident set
 * (what Lambda's limit counts), checked every DEFAULT_MEMORY_CHECK_MS while a decode runs; the V8
 * heap limit stays as well, for a runaway in ordinary JS objects.
 */
import * as fs from "fs";
import * as path from "path";
import { Worker } from "node:worker_threads";
import { FailureReason } from "../../../contract/failureReasons";
import { PermanentError, TransientError } from "../core/errors";

/** Memory carried into a job beyond the clean process's, past which a memory stop is not the image's verdict. */
const CARRIED_OVER_MIN_BYTES = 64 * 1024 * 1024;
const CARRIED_OVER_SHARE = 0.1;
import type { ThumbnailOptions, ThumbnailResult } from "../core/thumbnailer";
import { ownedBytes, uncrossError, type JobReply, type JobRequest, type ReadyMessage } from "./protocol";

/** File name of the decoder thread's bundle beside dist/function/index.js. */
export const WORKER_FILE_NAME = "thumbnailWorker.js";

export interface DecodeLimits {
  /** Longest one image may take, ms. */
  timeoutMs: number;
  /** Largest resident set of the whole process while an image decodes, bytes. */
  processMemoryLimitBytes: number;
}

export interface IsolatedThumbnailerOptions extends DecodeLimits {
  /** Script the thread runs (.js, or .ts under ts-node); default: the production worker. */
  workerFile?: string;
  /** How often the resident set is read while a decode runs, ms. */
  memoryCheckMs?: number;
  /** Drop what decoders print (omggif and utif2 log warnings): for the fuzzer, whose output is the findings. */
  silent?: boolean;
}

const MIB = 2 ** 20;
/**
 * Every check wakes the handler's thread (and reads /proc) while the decoder works: at 5 ms
 * that cost a 12 MP JPEG (≈ 50 ms) 1–3 ms (bench/backstopAb.ts). Between two checks a decoder
 * touching new memory at even 2 GB/s gets 40 MB past the bound, well inside the headroom
 * below the function's memory (PROCESS_MEMORY_SHARE_OF_FUNCTION_MEMORY: 128 MB at 1,280 MB).
 */
const DEFAULT_MEMORY_CHECK_MS = 20;
const STOP_WAIT_MS = 2_000;

/** The production worker: bundled beside this code, else (ts-node: tests, tools) its TypeScript source. */
export function defaultWorkerFile(): string {
  const bundled = path.join(__dirname, WORKER_FILE_NAME);
  return fs.existsSync(bundled) ? bundled : path.join(__dirname, "thumbnailWorker.ts");
}

function startWorker(file: string, heapLimitMb: number, silent: boolean): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: heapLimitMb }, stdout: silent, stderr: silent };
  // A TypeScript worker (tests, tools under ts-node) registers ts-node in its own thread first.
  const worker = file.endsWith(".ts")
    ? new Worker(
        `require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: true }); require(${JSON.stringify(file)});`,
        { ...options, eval: true },
      )
    : new Worker(file, options);
  if (silent) {
    worker.stdout.resume();
    worker.stderr.resume();
  }
  return worker;
}

interface Pending {
  id: number;
  resolve(result: ThumbnailResult): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  isReady: boolean;
  /** Resolves when the thread has loaded the core (never rejects: a thread that dies is handled by onCrash). */
  ready: Promise<void>;
  markReady(): void;
}

export class IsolatedThumbnailer {
  private thread: Thread | undefined;
  private pending: Pending | undefined;
  private nextId = 1;
  /**
   * Settles once the last stopped thread has exited (or after STOP_WAIT_MS): its memory is
   * freed only then, and the next image's memory checks must not count it.
   */
  private stopped: Promise<void> = Promise.resolve();
  /** Jobs run one at a time (memory is bounded per image); later calls wait their turn. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly workerFile: string;
  private readonly memoryCheckMs: number;
  private readonly heapLimitMb: number;
  /** The lowest resident set seen when a job started: what the process needs without an image's leftovers. */
  private cleanRss = Infinity;

  constructor(private readonly limits: IsolatedThumbnailerOptions) {
    if (!(limits.timeoutMs > 0)) throw new RangeError(`decode timeoutMs must be positive, got ${limits.timeoutMs}`);
    if (!(limits.processMemoryLimitBytes > 0))
      throw new RangeError(`processMemoryLimitBytes must be positive, got ${limits.processMemoryLimitBytes}`);
    this.workerFile = limits.workerFile ?? defaultWorkerFile();
    this.memoryCheckMs = limits.memoryCheckMs ?? DEFAULT_MEMORY_CHECK_MS;
    this.heapLimitMb = Math.max(64, Math.floor(limits.processMemoryLimitBytes / MIB));
  }

  /** Starts the thread now (e.g. at cold start) so the first image does not wait for it; resolves once it has loaded the core. */
  warm(): Promise<void> {
    return this.ensureThread().ready;
  }

  /**
   * The core's result for these bytes, made in the thread. The caller keeps its bytes: they
   * are copied into a buffer that is transferred, not cloned. A caller done with its bytes
   * passes `{ handOver: true }` instead: their buffer is moved to the thread as it is (the
   * caller's view is left empty), which saves the copy: 0.3–1 ms of CPU for a 3 MB upload
   * here (bench/backstopAb.ts), more when its fresh pages fault in slowly.
   */
  make(
    bytes: Uint8Array,
    options: ThumbnailOptions,
    { handOver = false, stopAt }: { handOver?: boolean; stopAt?: number } = {},
  ): Promise<ThumbnailResult> {
    // Taken now, not when the job's turn comes: the caller's bytes are as given at this call.
    const sent = handOver ? ownedBytes(bytes) : new Uint8Array(bytes);
    const job = this.queue.then(() => this.stopped).then(() => this.run(sent, options, stopAt));
    this.queue = job.catch(() => undefined);
    return job;
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    if (thread) await thread.worker.terminate();
  }

  private ensureThread(): Thread {
    if (this.thread) return this.thread;
    const worker = startWorker(this.workerFile, this.heapLimitMb, this.limits.silent ?? false);
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    // An idle warm thread must not keep a CLI or test process alive (a running job holds its
    // deadline timer), but a starting one must, or awaiting warm() would let the process end.
    const thread: Thread = { worker, isReady: false, ready, markReady: () => ((thread.isReady = true), worker.unref(), markReady()) };
    worker.on("message", (message: JobReply | ReadyMessage) => {
      if ("ready" in message) thread.markReady();
      else this.onReply(thread, message);
    });
    worker.on("error", (err: Error & { code?: string }) => this.onCrash(thread, err));
    worker.on("exit", (code) => this.onCrash(thread, new Error(`the decoder thread exited with code ${code}`)));
    this.thread = thread;
    return thread;
  }

  /** Runs one job; `bytes` owns its whole buffer, which is transferred to the thread. */
  private run(bytes: Uint8Array, options: ThumbnailOptions, stopAt?: number): Promise<ThumbnailResult> {
    if (stopAt !== undefined && stopAt - Date.now() <= 0) {
      return Promise.reject(new DeadlineReached("no time was left before the invocation's deadline to start decoding"));
    }
    const thread = this.ensureThread();
    const id = this.nextId++;
    const startRss = process.memoryUsage.rss();
    this.cleanRss = Math.min(this.cleanRss, startRss);
    return new Promise<ThumbnailResult>((resolve, reject) => {
      let started = Date.now();
      let settled = false;
      const settle = () => {
        settled = true;
        clearTimeout(deadline);
        clearInterval(memoryCheck);
        this.pending = undefined;
      };
      const stop = (error: Error) => {
        settle();
        this.discard(thread);
        reject(error);
      };
      // The budget is the decode's own (DECODE_TIMEOUT_MS), cut short by the caller's deadline
      // when that comes first; which of the two ended it decides the error.
      const arm = () => {
        const left = stopAt === undefined ? Infinity : Math.max(0, stopAt - Date.now());
        if (left < this.limits.timeoutMs) {
          return setTimeout(
            () => stop(new DeadlineReached(`decoding was stopped after ${Date.now() - started} ms at the invocation's deadline`)),
            left,
          );
        }
        return setTimeout(
          () =>
            stop(
              new PermanentError(
                FailureReason.DecodeTimeout,
                `decoding took longer than the ${this.limits.timeoutMs} ms budget for one image (DECODE_TIMEOUT_MS) and was stopped`,
              ),
            ),
          this.limits.timeoutMs,
        );
      };
      // The budget starts once the thread has loaded the core. A thread that takes the whole
      // budget just to start counts as an overrun too.
      let deadline = arm();
      if (!thread.isReady) {
        void thread.ready.then(() => {
          if (settled) return;
          clearTimeout(deadline);
          started = Date.now();
          deadline = arm();
        });
      }
      const memoryCheck = setInterval(() => {
        const rss = process.memoryUsage.rss();
        if (rss > this.limits.processMemoryLimitBytes) {
          const what = `decoding raised the process's memory to ${Math.round(rss / MIB)} MiB after ${Date.now() - started} ms, past its bound of ${Math.round(this.limits.processMemoryLimitBytes / MIB)} MiB, and was stopped`;
          // A process that began this image carrying much more memory than it does clean (what an
          // earlier, stopped decode left behind: the allocator does not always give it back)
          // cannot judge the image: it is retried in a fresh process, which can.
          const carried = startRss - this.cleanRss;
          if (carried > Math.max(CARRIED_OVER_MIN_BYTES, this.limits.processMemoryLimitBytes * CARRIED_OVER_SHARE)) {
            stop(
              new TransientError(
                "decoding",
                `${what}; but the process began this image with ${Math.round(carried / MIB)} MiB left over from earlier work, without which it would have fitted, so it is left for a retry in a fresh process`,
                { recycleProcess: true },
              ),
            );
          } else {
            stop(new PermanentError(FailureReason.DecodeTooLarge, what));
          }
        }
      }, this.memoryCheckMs);
      memoryCheck.unref();
      this.pending = {
        id,
        resolve: (result) => {
          settle();
          resolve(result);
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      };
      const request: JobRequest = { id, bytes, options };
      try {
        thread.worker.postMessage(request, [bytes.buffer as ArrayBuffer]);
      } catch (err) {
        // A buffer that cannot be moved (e.g. one Node marked untransferable) is a caller's bug, not the upload's.
        settle();
        reject(err);
      }
    });
  }

  private onReply(thread: Thread, reply: JobReply): void {
    const pending = this.pending;
    if (thread !== this.thread || !pending || pending.id !== reply.id) return;
    if (!reply.ok) {
      pending.reject(uncrossError(reply.error));
      return;
    }
    pending.resolve({
      thumbnails: reply.thumbnails.map((t) => ({ ...t, bytes: Buffer.from(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength) })),
      facts: reply.facts,
    });
  }

  /** The thread died on its own: this image fails permanently, and the next one gets a fresh thread. */
  private onCrash(thread: Thread, err: Error & { code?: string }): void {
    if (thread !== this.thread) return;
    this.thread = undefined;
    const pending = this.pending;
    if (!pending) return;
    const error =
      err.code === "ERR_WORKER_OUT_OF_MEMORY"
        ? new PermanentError(
            FailureReason.DecodeTooLarge,
            `decoding filled the decoder thread's ${this.heapLimitMb} MiB JavaScript heap and was stopped: ${err.message}`,
          )
        : new PermanentError(FailureReason.DecoderCrashed, `the decoder thread died without an answer: ${err.message}`);
    pending.reject(error);
  }

  /** Stops a thread that overran (it may be stuck in a loop) and starts its replacement now, while the handler records the failure. */
  private discard(thread: Thread): void {
    if (this.thread === thread) this.thread = undefined;
    thread.worker.removeAllListeners();
    // Errors of a thread already given up are of no interest; one listener keeps them from being thrown.
    thread.worker.on("error", () => undefined);
    const exited = thread.worker.terminate().then(
      () => undefined,
      () => undefined,
    );
    // A thread stuck inside one native call exits only when the call returns: wait a little, not forever.
    this.stopped = Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
    this.ensureThread();
  }
}

/**
 * A decode stopped (or never started) because the caller's deadline came before the image's
 * own budget ran out. Not a verdict on the image by itself: the caller decides whether the
 * image had a fair share of the time (see processUpload).
 */
export class DeadlineReached extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeadlineReached";
  }
}

let shared: IsolatedThumbnailer | undefined;

/** The container's one isolated thumbnailer, made on first use with these limits. */
export function sharedThumbnailer(limits: DecodeLimits): IsolatedThumbnailer {
  shared ??= new IsolatedThumbnailer(limits);
  return shared;
}
