/**
 * The isolated thumbnailer the fuzz specs run cases through: the production worker, bundled
 * once per test process (a thread starts in milliseconds, not ts-node's seconds), under a
 * budget that is far above what a small fuzz input needs and far below the function's.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundleWorkerSync } from "../../../function/build";
import { CONFIG_DEFAULTS } from "../../../function/src/config";
import { processMemoryLimitBytes } from "../../../contract/decodeLimits";
import type { ThumbnailOptions } from "../../../function/src/core/thumbnailer";
import { IsolatedThumbnailer } from "../../../function/src/worker/isolatedThumbnailer";

/** A case that takes this long is a hang for our purposes: the seeds are 40×28 pixels, though a mutated header may legitimately ask for up to maxImagePixels (the slowest such case took 8.6 s here under load). */
export const FUZZ_BUDGET_MS = 10_000;

export const FUZZ_OPTIONS: ThumbnailOptions = {
  sizes: [...CONFIG_DEFAULTS.thumbnailSizes],
  jpegQuality: CONFIG_DEFAULTS.jpegQuality,
  maxPixels: CONFIG_DEFAULTS.maxImagePixels,
};

export function fuzzThumbnailer(): { thumbnailer: IsolatedThumbnailer; dispose(): Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fuzz-spec-worker-"));
  const thumbnailer = new IsolatedThumbnailer({
    timeoutMs: FUZZ_BUDGET_MS,
    // The test process is larger than the function's; the bound is a 1,280 MB function's on top of it.
    processMemoryLimitBytes: process.memoryUsage.rss() + processMemoryLimitBytes(1280),
    workerFile: bundleWorkerSync(dir),
    silent: true,
  });
  return {
    thumbnailer,
    async dispose() {
      await thumbnailer.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
