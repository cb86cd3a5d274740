/**
 * What a benchmark worker is told and reports. Each image runs in a fresh worker process so
 * that its first call is a true cold call and its peak RSS is its own.
 */
import * as fs from "fs";

export interface WorkerTask {
  file: string;
  runs: number;
  /** Stop the warm runs early once they have taken this long in all (after at least minRuns). */
  budgetMs: number;
  minRuns: number;
  /** Where to write the (largest) thumbnail of the last run, for the quality check. */
  outFile: string;
  sizes: number[];
  jpegQuality: number;
  maxPixels: number;
}

export interface WorkerReport {
  /** require() of the code under test, ms. */
  requireMs: number;
  /** First call in the fresh process, ms. */
  coldMs: number;
  /** Each later call, ms. */
  warmMs: number[];
  /** CPU time (user + system, all threads) of the first call and of each later call, ms. */
  coldCpuMs: number;
  warmCpuMs: number[];
  /** Peak resident set of the whole process, MB. */
  peakRssMb: number;
  /** Bytes of the largest thumbnail. */
  outputBytes: number;
  /** Set when the image was refused or failed. */
  error?: string;
}

export function readTask(): WorkerTask {
  const raw = process.argv[2];
  if (!raw) throw new Error("bench worker: pass the task as JSON in argv[2]");
  return JSON.parse(raw) as WorkerTask;
}

export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Times one call; a refusal (thrown error) is timed too: how fast bombs are refused matters. */
export async function timed<T>(call: () => Promise<T>): Promise<{ ms: number; cpuMs: number; output?: T; error?: string }> {
  const cpu = process.cpuUsage();
  const started = now();
  const cpuMs = () => {
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000;
  };
  try {
    const output = await call();
    return { ms: now() - started, cpuMs: cpuMs(), output };
  } catch (error) {
    return { ms: now() - started, cpuMs: cpuMs(), error: (error as Error)?.message ?? String(error) };
  }
}

/**
 * Peak RSS of this process, MB. Linux's VmHWM, not getrusage's maxRSS: a spawned child's
 * maxRSS starts at its parent's peak (carried across fork and exec), which would charge the
 * benchmark's own image buffers to every worker.
 */
export function peakRssMb(): number {
  try {
    const status = fs.readFileSync("/proc/self/status", "utf8");
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    if (match) return Number(match[1]) / 1024;
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Runs `once` cold, then `runs` more times, and prints the report as one JSON line. */
export async function runSeries(task: WorkerTask, requireMs: number, once: (bytes: Buffer) => Promise<Buffer>): Promise<void> {
  const bytes = fs.readFileSync(task.file);
  const cold = await timed(() => once(bytes));
  const report: WorkerReport = {
    requireMs,
    coldMs: cold.ms,
    warmMs: [],
    coldCpuMs: cold.cpuMs,
    warmCpuMs: [],
    peakRssMb: 0,
    outputBytes: 0,
    error: cold.error,
  };
  let output = cold.output;
  let spent = 0;
  for (let i = 0; i < task.runs && (i < task.minRuns || spent < task.budgetMs); i++) {
    const warm = await timed(() => once(bytes));
    spent += warm.ms;
    report.warmMs.push(warm.ms);
    report.warmCpuMs.push(warm.cpuMs);
    output = warm.output ?? output;
    report.error ??= warm.error;
  }
  if (output) {
    fs.writeFileSync(task.outFile, output);
    report.outputBytes = output.length;
  }
  report.peakRssMb = peakRssMb();
  process.stdout.write(JSON.stringify(report) + "\n");
}
