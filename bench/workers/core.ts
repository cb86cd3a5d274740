/** Benchmark worker: the function's thumbnail core, bundled the way the function bundles it. */
import { now, readTask, runSeries } from "./protocol";

const task = readTask();
const started = now();
// require(), not import: the load is what is being timed.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the load is what is being timed
const core = require("../../function/src/core/thumbnailer") as typeof import("../../function/src/core/thumbnailer");
const requireMs = now() - started;

void runSeries(task, requireMs, async (bytes) => {
  const result = await core.makeThumbnails(bytes, { sizes: task.sizes, jpegQuality: task.jpegQuality, maxPixels: task.maxPixels });
  return result.thumbnails[0].bytes;
});
