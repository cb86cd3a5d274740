/**
 * Benchmark worker: the thumbnail core as the function runs it, in its decoder thread behind
 * the backstop (worker/isolatedThumbnailer.ts). Its "require" time includes starting the
 * thread and loading the core in it, which the function does during init.
 */
import { now, readTask, runSeries } from "./protocol";

const task = readTask();
const started = now();
const { IsolatedThumbnailer } = require("../../function/src/worker/isolatedThumbnailer") as typeof import("../../function/src/worker/isolatedThumbnailer");
// Bounds far away: this measures the thread's cost, not the limits.
const isolated = new IsolatedThumbnailer({ timeoutMs: 600_000, processMemoryLimitBytes: 64 * 2 ** 30 });

void isolated.warm().then(() =>
  runSeries(task, now() - started, async (bytes) => {
    const result = await isolated.make(bytes, { sizes: task.sizes, jpegQuality: task.jpegQuality, maxPixels: task.maxPixels });
    return result.thumbnails[0].bytes;
  }),
);
