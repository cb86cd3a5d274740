/** Runs a benchmark worker in a fresh process (a true cold call, a peak RSS of its own) and reads its report. */
import { spawnSync } from "child_process";
import type { WorkerReport, WorkerTask } from "./workers/protocol";

export function runWorker(script: string, task: WorkerTask): WorkerReport {
  const run = spawnSync(process.execPath, [script, JSON.stringify(task)], { encoding: "utf8", maxBuffer: 1 << 20 });
  const line = run.stdout.trim().split("\n").pop() ?? "";
  if (run.status !== 0 || !line.startsWith("{")) {
    return {
      requireMs: 0,
      coldMs: 0,
      warmMs: [],
      coldCpuMs: 0,
      warmCpuMs: [],
      peakRssMb: 0,
      outputBytes: 0,
      error: `worker exited ${run.status ?? run.signal}: ${run.stderr.trim().split("\n").slice(-3).join(" | ")}`,
    };
  }
  return JSON.parse(line) as WorkerReport;
}
