/**
 * Bundles the function with esbuild into one minified CommonJS file for the Lambda runtime.
 * The stack (infra/), `npm start` and the benchmark all deploy or run this same bundle.
 */
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";
import { wasmAssets } from "./src/core/wasmFiles";
import { WORKER_FILE_NAME } from "./src/worker/isolatedThumbnailer";

// The Node version of contract/runtime.ts's FUNCTION_RUNTIME (a test binds the two).
export const ESBUILD_TARGET = "node22";

export const FUNCTION_ENTRY = path.join(__dirname, "src", "handler.ts");
/** The decoder thread's entry: a worker loads a file, so it is bundled as its own file beside index.js. */
export const WORKER_ENTRY = path.join(__dirname, "src", "worker", "thumbnailWorker.ts");
export const DEFAULT_OUT_DIR = path.join(__dirname, "..", "dist", "function");

export interface FunctionBuild {
  /** Directory holding exactly what Lambda needs (index.js, the worker, the WASM module); zip it as the code archive. */
  directory: string;
  /** Path of the bundle file. */
  bundleFile: string;
  bundleBytes: number;
}

export interface BuildOptions {
  outDir?: string;
  minify?: boolean;
}

function esbuildOptions(outDir: string, minify: boolean): esbuild.BuildOptions {
  return {
    entryPoints: { index: FUNCTION_ENTRY, [path.basename(WORKER_FILE_NAME, ".js")]: WORKER_ENTRY },
    outdir: outDir,
    bundle: true,
    platform: "node",
    target: ESBUILD_TARGET,
    format: "cjs",
    minify,
    sourcemap: false,
    legalComments: "none",
    // The Lambda Node.js runtime ships AWS SDK v3; bundling it would add ~1 MB and cold-start time.
    external: ["@aws-sdk/*", "@smithy/*"],
    // jimp code paths the function never takes (Jimp.fromBuffer's MIME sniffing and EXIF
    // rotation); see the stubs for why. Saves ~110 KB and their parse time at cold start.
    alias: {
      "file-type": path.join(__dirname, "src", "bundleStubs", "fileType.ts"),
      "exif-parser": path.join(__dirname, "src", "bundleStubs", "exifParser.ts"),
    },
    logLevel: "silent",
  };
}

/** Synchronous so the Pulumi program can build while it declares resources. */
export function buildFunctionSync(options: BuildOptions = {}): FunctionBuild {
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  esbuild.buildSync(esbuildOptions(outDir, options.minify ?? true));
  copyRuntimeFiles(outDir);
  return describe(outDir);
}

export async function buildFunction(options: BuildOptions = {}): Promise<FunctionBuild> {
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  await esbuild.build(esbuildOptions(outDir, options.minify ?? true));
  copyRuntimeFiles(outDir);
  return describe(outDir);
}

/** The decoders' WASM modules ship beside index.js, each read on the first image of its format (see core/wasmFiles.ts). */
function copyRuntimeFiles(outDir: string): void {
  for (const asset of wasmAssets()) fs.copyFileSync(asset.source, path.join(outDir, asset.fileName));
}

/**
 * Bundles a decoder-thread entry (by default the production one) to `<outDir>/<name>.js` with
 * the function's settings, plus the WASM modules beside it: tests, the fuzzer and the bench
 * run their threads from such a bundle (fast to start, and what Lambda runs).
 */
export function bundleWorkerSync(outDir: string, entry: string = WORKER_ENTRY, minify = true): string {
  fs.mkdirSync(outDir, { recursive: true });
  const name = path.basename(entry).replace(/\.ts$/, "");
  const options = esbuildOptions(outDir, minify);
  esbuild.buildSync({ ...options, entryPoints: { [name]: entry } });
  copyRuntimeFiles(outDir);
  return path.join(outDir, `${name}.js`);
}

function describe(outDir: string): FunctionBuild {
  const bundleFile = path.join(outDir, "index.js");
  return { directory: outDir, bundleFile, bundleBytes: fs.statSync(bundleFile).size };
}

if (require.main === module) {
  const build = buildFunctionSync();
  console.log(`${path.relative(process.cwd(), build.bundleFile)}: ${(build.bundleBytes / 1024).toFixed(1)} KB`);
}
