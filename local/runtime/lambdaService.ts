/**
 * A local stand-in for the Lambda service: the bundled function (the same file the stack
 * deploys) runs in up to N container processes, one invocation at a time each, with the
 * environment the stack sets. Like Lambda: containers start on demand (cold starts) and are
 * reused; an invocation that runs past the timeout has its container killed; a handler that
 * throws is an error the caller may retry (asynchronous invocations retry twice); where the
 * machine allows it, a container that goes past the function's memory is killed by the kernel
 * (see memoryCap.ts).
 */
import { ChildProcess, fork } from "child_process";
import { randomUUID } from "crypto";
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FUNCTION_HANDLER } from "../../contract/runtime";
import { buildFunction } from "../../function/build";
import { createContainerCgroup, detectMemoryCap, type ContainerCgroup, type MemoryCap } from "./memoryCap";
import type { ContainerMessage, InvokeRequest } from "./protocol";

export interface LambdaServiceOptions {
  functionName: string;
  functionArn: string;
  /** The function's own configuration (stack-set variables) plus SDK endpoint overrides. */
  environment: Record<string, string>;
  memoryMb: number;
  timeoutSeconds: number;
  /** Largest number of containers running at once. */
  concurrency: number;
  /**
   * Writes the code (index.js exporting `handler`) into the task root. Default: the function's
   * own build (function/build.ts), the bundle the stack deploys.
   */
  build?: (taskRoot: string) => Promise<void>;
  /** Cap each container's memory at memoryMb as Lambda does, when the machine allows it (default true). */
  capMemory?: boolean;
  /**
   * Fault injection: asked once per invocation; a number is the ms into the invocation at which
   * its container is killed, as a runtime crash would end it (see local/faults/).
   */
  crash?: () => number | undefined;
}

/** An invocation that ended without a result; `output` is what the handler printed, if it got that far. */
class InvocationFailed extends Error {
  constructor(
    message: string,
    readonly output = "",
  ) {
    super(message);
  }
}

export interface InvocationResult {
  durationMs: number;
  /** The handler threw, timed out or its process died: Lambda would count an error. */
  error?: string;
  output: string;
  maxRssBytes: number;
  coldStart: boolean;
  initMs?: number;
}

interface Container {
  child: ChildProcess;
  ready: Promise<{ initMs: number; output: string }>;
  busy: boolean;
  used: boolean;
  pending?: { id: number; resolve: (message: ContainerMessage & { type: "result" }) => void; reject: (err: Error) => void };
  /** An injected crash is under way: the exit that follows is not the runtime's own doing. */
  crashing?: boolean;
}

/** What an invocation whose container was killed by fault injection ends with (Lambda's words for a crashed runtime). */
export const CRASH_MESSAGE = "Runtime.ExitError: Runtime exited with signal: SIGKILL (injected crash)";

/** The modules the Lambda Node.js runtime provides; the bundle leaves them external. */
const RUNTIME_PROVIDED_SCOPES = ["@aws-sdk", "@smithy"];

export class LambdaService {
  private readonly containers: Container[] = [];
  private readonly waiting: Array<() => void> = [];
  private nextId = 1;
  private closed = false;
  private peakRssBytes = 0;
  private spawned = 0;
  /** Whether containers are memory-capped, and if not, why. */
  readonly memoryCap: MemoryCap;

  private constructor(
    private readonly options: LambdaServiceOptions,
    private readonly taskRoot: string,
    private readonly runtimeFile: string,
  ) {
    this.memoryCap = options.capMemory === false ? { available: false, why: "capMemory is off" } : detectMemoryCap();
  }

  /** Builds the function bundle into a private task root and returns a service ready to invoke it. */
  static async start(options: LambdaServiceOptions): Promise<LambdaService> {
    const taskRoot = fs.mkdtempSync(path.join(os.tmpdir(), "thumbnail-lambda-"));
    try {
      try {
        await (options.build ?? (async (outDir: string) => void (await buildFunction({ outDir }))))(taskRoot);
      } catch (err) {
        // esbuild lists every error on its own lines; the first says what and where.
        throw new Error(`building the function failed: ${(err as Error).message.split("\n").filter(Boolean).slice(0, 2).join(" ")}`);
      }
      const runtimeFile = path.join(taskRoot, ".local-runtime.js");
      await esbuild.build({
        entryPoints: [path.join(__dirname, "container.ts")],
        outfile: runtimeFile,
        bundle: true,
        platform: "node",
        format: "cjs",
        logLevel: "silent",
      });
      // Like Lambda, only the AWS SDK is available besides the bundle: anything else the
      // bundle forgot to include fails here as it would in AWS.
      const nodeModules = path.join(taskRoot, "node_modules");
      fs.mkdirSync(nodeModules);
      const projectModules = path.join(__dirname, "..", "..", "node_modules");
      for (const scope of RUNTIME_PROVIDED_SCOPES) {
        // Junctions need no privilege on Windows; elsewhere the type is ignored.
        fs.symlinkSync(path.join(projectModules, scope), path.join(nodeModules, scope), "junction");
      }
      return new LambdaService(options, taskRoot, runtimeFile);
    } catch (err) {
      fs.rmSync(taskRoot, { recursive: true, force: true });
      throw err;
    }
  }

  get bundleFile(): string {
    return path.join(this.taskRoot, "index.js");
  }

  /** The function's memory, MB: what each container is told (and capped at, where the machine allows). */
  get memoryMb(): number {
    return this.options.memoryMb;
  }

  /** Largest resident memory any container reached (Lambda's "Max Memory Used"). */
  get peakContainerRssBytes(): number {
    return this.peakRssBytes;
  }

  async invoke(event: unknown): Promise<InvocationResult> {
    if (this.closed) throw new Error("local Lambda service is shut down");
    const container = await this.acquire();
    let coldStart = false;
    let initMs: number | undefined;
    try {
      if (!container.used) {
        coldStart = true;
        container.used = true;
        const init = await container.ready;
        initMs = init.initMs;
      }
      const result = await this.run(container, event);
      this.peakRssBytes = Math.max(this.peakRssBytes, result.maxRssBytes);
      return { ...result, coldStart, initMs };
    } catch (err) {
      // The container is unusable (init failed, crashed or timed out): drop it, as Lambda does.
      this.discard(container);
      return {
        durationMs: 0,
        error: (err as Error).message,
        output: err instanceof InvocationFailed ? err.output : "",
        maxRssBytes: 0,
        coldStart,
        initMs,
      };
    } finally {
      container.busy = false;
      this.waiting.shift()?.();
    }
  }

  private run(container: Container, event: unknown): Promise<ContainerMessage & { type: "result" }> {
    const id = this.nextId++;
    const timeoutMs = this.options.timeoutSeconds * 1000;
    const request: InvokeRequest = {
      type: "invoke",
      id,
      event,
      requestId: randomUUID(),
      functionName: this.options.functionName,
      functionArn: this.options.functionArn,
      memoryMb: this.options.memoryMb,
      timeoutMs,
    };
    const crashAtMs = this.options.crash?.();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`Task timed out after ${this.options.timeoutSeconds.toFixed(2)} seconds`));
      }, timeoutMs);
      const crash = (output?: string) => {
        clearTimeout(crashTimer);
        container.crashing = true;
        container.child.kill("SIGKILL");
        // The exit handler rejects with the runtime's words; a handler that had already
        // finished keeps what it printed (its logs and metrics reached CloudWatch before the crash).
        if (output !== undefined) settle.reject(new InvocationFailed(CRASH_MESSAGE, output));
      };
      const crashTimer = crashAtMs === undefined ? undefined : setTimeout(() => crash(), crashAtMs);
      const settle = {
        id,
        resolve: (message: ContainerMessage & { type: "result" }) => {
          // The handler finished before the crash was due: the crash comes between its return
          // and the runtime's report, so the result never reaches the caller.
          if (crashTimer) return crash(message.output);
          clearTimeout(timer);
          resolve(message);
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          clearTimeout(crashTimer);
          container.pending = undefined;
          reject(err);
        },
      };
      container.pending = settle;
      container.child.send(request);
    });
  }

  private async acquire(): Promise<Container> {
    for (;;) {
      const idle = this.containers.find((c) => !c.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.containers.length < this.options.concurrency) {
        const container = this.spawn();
        container.busy = true;
        return container;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (this.closed) throw new Error("local Lambda service is shut down");
    }
  }

  private spawn(): Container {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      TZ: "UTC",
      LANG: "en_US.UTF-8",
      LAMBDA_TASK_ROOT: this.taskRoot,
      _HANDLER: FUNCTION_HANDLER,
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
      AWS_LAMBDA_FUNCTION_NAME: this.options.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.options.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${this.options.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `local/${this.containers.length}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      ...this.options.environment,
      LOCAL_LAMBDA_BUNDLE: this.bundleFile,
      LOCAL_LAMBDA_HANDLER_EXPORT: FUNCTION_HANDLER.split(".")[1],
    };
    let cgroup: ContainerCgroup | undefined;
    if (this.memoryCap.available) {
      cgroup = createContainerCgroup(this.memoryCap, `thumbnail-lambda-${process.pid}-${++this.spawned}`, this.options.memoryMb);
    }
    const child = fork(this.runtimeFile, [], {
      cwd: this.taskRoot,
      env: cgroup ? { ...env, LOCAL_LAMBDA_CGROUP_PROCS: cgroup.procsFile, LOCAL_LAMBDA_NODE: process.execPath } : env,
      // A capped container joins its cgroup before node starts (a shell writes its own pid,
      // then execs node in place, keeping the IPC channel), so all of its memory is charged.
      ...(cgroup
        ? { execPath: "/bin/sh", execArgv: ["-c", 'echo $$ > "$LOCAL_LAMBDA_CGROUP_PROCS" && exec "$LOCAL_LAMBDA_NODE" "$@"', "container"] }
        : { execArgv: [] }),
      stdio: ["ignore", "ignore", "ignore", "ipc"],
      serialization: "advanced",
    });
    let settleReady!: { resolve: (v: { initMs: number; output: string }) => void; reject: (e: Error) => void };
    const ready = new Promise<{ initMs: number; output: string }>((resolve, reject) => {
      settleReady = { resolve, reject };
    });
    // Rejections are observed by invoke(); this keeps an unobserved one from crashing the process.
    ready.catch(() => undefined);
    const container: Container = { child, ready, busy: false, used: false };
    child.on("message", (message: ContainerMessage) => {
      if (message.type === "ready") settleReady.resolve({ initMs: message.initMs, output: message.output });
      else if (message.type === "initError") settleReady.reject(new Error(`Init error: ${message.message}`));
      else if (message.type === "result" && container.pending?.id === message.id) {
        const pending = container.pending;
        container.pending = undefined;
        pending.resolve(message);
      }
    });
    child.on("exit", (code, signal) => {
      // Lambda's own words for a sandbox killed at its memory size.
      const why = container.crashing
        ? new InvocationFailed(CRASH_MESSAGE)
        : cgroup?.oomKilled()
          ? new Error(
              `Runtime.OutOfMemory: the container went past its ${this.options.memoryMb} MB and was killed (signal ${signal ?? code})`,
            )
          : new Error(`Runtime exited${signal ? ` with signal ${signal}` : ` with code ${code}`}`);
      cgroup?.remove();
      settleReady.reject(why);
      container.pending?.reject(why);
      container.pending = undefined;
      this.remove(container);
    });
    child.on("error", () => undefined);
    this.containers.push(container);
    return container;
  }

  private discard(container: Container): void {
    this.remove(container);
    if (container.child.exitCode === null && container.child.signalCode === null) container.child.kill("SIGKILL");
  }

  private remove(container: Container): void {
    const index = this.containers.indexOf(container);
    if (index >= 0) this.containers.splice(index, 1);
  }

  /** Stops every container and removes the task root. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    const exits = this.containers.splice(0).map(
      (container) =>
        new Promise<void>((resolve) => {
          if (container.child.exitCode !== null || container.child.signalCode !== null) return resolve();
          container.child.once("exit", () => resolve());
          container.child.kill("SIGKILL");
        }),
    );
    await Promise.all(exits);
    fs.rmSync(this.taskRoot, { recursive: true, force: true });
  }
}
