/**
 * Benchmark worker: jimp used naively (Jimp.read, which decodes at full size and rotates by
 * EXIF, then scaleToFit and getBuffer): "today's jimp", the baseline the core must not lose to.
 */
import { now, readTask, runSeries } from "./protocol";

const task = readTask();
const started = now();
// require(), not import: the load is what is being timed.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the load is what is being timed
const { Jimp } = require("jimp") as typeof import("jimp");
const requireMs = now() - started;

void runSeries(task, requireMs, async (bytes) => {
  const image = await Jimp.read(bytes);
  const size = Math.max(...task.sizes);
  image.scaleToFit({ w: size, h: size });
  const opaque = image.bitmap.data.every((value, i) => i % 4 !== 3 || value === 255);
  return opaque ? image.getBuffer("image/jpeg", { quality: task.jpegQuality }) : image.getBuffer("image/png");
});
