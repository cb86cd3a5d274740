/**
 * Benchmark worker: the thumbnail core as the function runs it, in its decoder thread behind
 * the backstop (worker/isolatedThumbnailer.ts). Its "require" time includes starting the
 * thread and loading the core in it, which the function does during init.
 */
import { now, readTask, runSeries } from "./protocol";

const task = readTask();
const started = now();
// The load is what is being timed, hence require() rather than import.
type Isolated = typeof import("../../function/src/worker/isolatedThumbnailer");
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
const { IsolatedThumbnailer } = require("../../function/src/worker/isolatedThumbnailer") as Isolated;
// Bounds far away: this measures the thread's cost, not the limits.
const isolated = new IsolatedThumbnailer({ timeoutMs: 600_000, processMemoryLimitBytes: 64 * 2 ** 30 });

void isolated.warm().then(() =>
  runSeries(task, now() - started, async (bytes) => {
    const result = await isolated.make(bytes, { sizes: task.sizes, jpegQuality: task.jpegQuality, maxPixels: task.maxPixels });
    return result.thumbnails[0].bytes;
  }),
);
