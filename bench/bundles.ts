/**
 * Builds what the benchmark runs: the function bundle (via function/build.ts, as deployed) and
 * the workers, bundled with the same esbuild settings so their timings are the bundle's.
 */
import { spawnSync } from "child_process";
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";
import { buildFunction, WORKER_ENTRY } from "../function/build";
import { WORKER_FILE_NAME } from "../function/src/worker/isolatedThumbnailer";
import { wasmAssets } from "../function/src/core/wasmFiles";

export interface Workers {
  core: string;
  naiveJimp: string;
  /** The core in its decoder thread, as the function runs it. */
  isolated: string;
  /** The thumbnail core alone, for its require() time. */
  coreModule: string;
}

export async function buildWorkers(dir: string): Promise<Workers> {
  await esbuild.build({
    entryPoints: {
      core: path.join(__dirname, "workers", "core.ts"),
      naiveJimp: path.join(__dirname, "workers", "naiveJimp.ts"),
      isolated: path.join(__dirname, "workers", "isolated.ts"),
      // The decoder thread's file, found beside isolated.js as beside the function's index.js.
      [path.basename(WORKER_FILE_NAME, ".js")]: WORKER_ENTRY,
      coreModule: path.join(__dirname, "..", "function", "src", "core", "thumbnailer.ts"),
    },
    outdir: dir,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    legalComments: "none",
    logLevel: "silent",
  });
  for (const asset of wasmAssets()) fs.copyFileSync(asset.source, path.join(dir, asset.fileName));
  return {
    core: path.join(dir, "core.js"),
    naiveJimp: path.join(dir, "naiveJimp.js"),
    isolated: path.join(dir, "isolated.js"),
    coreModule: path.join(dir, "coreModule.js"),
  };
}

export interface BundleFacts {
  bundleFile: string;
  bundleBytes: number;
  /** Files shipped beside index.js (the WASM module), bytes. */
  sideFileBytes: number;
  /** Median require() of index.js in a fresh process, wall and CPU ms (AWS SDK resolved from node_modules). */
  requireMs: number;
  requireCpuMs: number;
}

export interface RequireTime {
  ms: number;
  cpuMs: number;
}

/** Medians of `samples` fresh-process require() timings of `file`. */
export function requireTime(file: string, samples: number): RequireTime {
  const script =
    `const c=process.cpuUsage(),t=process.hrtime.bigint();require(${JSON.stringify(file)});` +
    `const u=process.cpuUsage(c);process.stdout.write(JSON.stringify([Number(process.hrtime.bigint()-t)/1e6,(u.user+u.system)/1e3]))`;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < samples; i++) {
    const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    if (run.status !== 0)
      throw new Error(`bench: require(${file}) failed: ${run.stderr.trim().split("\n").slice(-8).join("\n").slice(0, 2000)}`);
    const [ms, cpuMs] = JSON.parse(run.stdout) as [number, number];
    wall.push(ms);
    cpu.push(cpuMs);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
  return { ms: median(wall), cpuMs: median(cpu) };
}

export async function measureFunctionBundle(samples: number): Promise<BundleFacts> {
  const build = await buildFunction();
  const sideFileBytes = fs
    .readdirSync(build.directory)
    .filter((name) => name !== path.basename(build.bundleFile))
    .reduce((sum, name) => sum + fs.statSync(path.join(build.directory, name)).size, 0);
  const timing = requireTime(build.bundleFile, samples);
  return { bundleFile: build.bundleFile, bundleBytes: build.bundleBytes, sideFileBytes, requireMs: timing.ms, requireCpuMs: timing.cpuMs };
}
