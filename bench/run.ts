/**
 * `npm run bench [-- --quick] [-- --only png-12mp,png-48mp] [-- --json out.json] [-- --runs N]`
 *
 * Makes photo-like images and bomb headers, runs each through the function's thumbnail core
 * (bundled like the function, a fresh process per image: cold call, warm calls, peak RSS),
 * through jimp used naively, and through sharp (native libvips, the yardstick; never bundled)
 * in the same run; scores thumbnail quality by PSNR against a float area-average reference;
 * measures the function bundle; estimates Lambda latency and cost per million images.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { parse as parseYaml } from "yaml";
import { buildWorkers, measureFunctionBundle, requireTime, type BundleFacts, type Workers } from "./bundles";
import { decodeMemoryBytes } from "../infra/config";
import { costPerMillion, durationAt, FULL_VCPU_MB } from "./cost";
import { makeBenchImages, type BenchImage } from "./images";
import { decodeUpright, thumbnailPsnr, type RawImage } from "./quality";
import { timed, type WorkerTask } from "./workers/protocol";
import { runWorker } from "./workerRun";
import { ENCODER_HEADERS, encoderTable, measureEncoders } from "./encoders";

interface Args {
  quick: boolean;
  json?: string;
  runs: number;
  /** Image names to run (all when absent): for measuring the rows a change touched. */
  only?: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, runs: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") args.quick = true;
    else if (arg === "--json") args.json = argv[++i];
    else if (arg === "--runs") args.runs = Number(argv[++i]);
    else if (arg === "--only") args.only = (argv[++i] ?? "").split(",").filter(Boolean);
    else throw new Error(`bench: unknown argument "${arg}" (use --quick, --only <names>, --json <file>, --runs <n>)`);
  }
  if (args.json === undefined && argv.includes("--json")) throw new Error("bench: --json needs a file name");
  if (args.only?.length === 0) throw new Error("bench: --only needs comma-separated image names, e.g. png-12mp,png-48mp");
  if (!args.runs) args.runs = args.quick ? 3 : 9;
  if (!Number.isInteger(args.runs) || args.runs < 1) throw new Error(`bench: --runs must be a positive integer, got ${args.runs}`);
  return args;
}

export interface ImageResult {
  name: string;
  kind: BenchImage["kind"];
  megapixels: number;
  fileBytes: number;
  /** The core, warm: median, 95th percentile (nearest rank) and max ms. */
  ms: number;
  p95Ms: number;
  maxMs: number;
  coldMs: number;
  /** CPU time (user + system) of the core, warm median and cold, ms: steadier than wall
   * time on a loaded machine, and what Lambda bills once memory buys one vCPU. */
  cpuMs: number;
  p95CpuMs: number;
  coldCpuMs: number;
  peakRssMb: number;
  /** Bytes of the (largest) thumbnail. */
  bytes: number;
  sharpMs: number;
  sharpCpuMs: number;
  ratioToSharp: number;
  cpuRatioToSharp: number;
  naiveJimpMs?: number;
  naiveJimpCpuMs?: number;
  naiveJimpPeakRssMb?: number;
  naiveJimpError?: string;
  psnrDb?: number;
  naiveJimpPsnrDb?: number;
  sharpPsnrDb?: number;
  /** The same through the decoder thread (the function's path), for jpeg-12mp: warm median and
   * CPU ms, and cold = thread start + core load + first call. */
  isolatedMs?: number;
  isolatedCpuMs?: number;
  isolatedColdMs?: number;
  /** The direct core's cold start on the same terms: require + first call. */
  directColdStartMs?: number;
  /** Why sharp could not make the thumbnail (HEIC: its prebuilt binaries leave HEVC out). */
  sharpError?: string;
  /** Why the core refused or failed the image (expected for bombs). */
  error?: string;
}

const SIZES = [256];
const JPEG_QUALITY = 80;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function readStackDefaults(): { memoryMb: number; timeoutSeconds: number; maxImagePixels: number } {
  const project = parseYaml(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as {
    config?: Record<string, { default?: unknown }>;
  };
  const value = (key: string, fallback: number) => Number(project.config?.[key]?.default ?? fallback);
  return {
    memoryMb: value("functionMemoryMb", FULL_VCPU_MB),
    timeoutSeconds: value("functionTimeoutSeconds", 60),
    maxImagePixels: value("maxImagePixels", 50_000_000),
  };
}

async function sharpThumbnail(file: string): Promise<Buffer> {
  const image = sharp(file).rotate().resize(SIZES[0], SIZES[0], { fit: "inside", withoutEnlargement: true });
  const { hasAlpha } = await sharp(file).metadata();
  return hasAlpha ? image.png().toBuffer() : image.jpeg({ quality: JPEG_QUALITY }).toBuffer();
}

async function timeSharp(file: string, runs: number): Promise<{ ms: number; cpuMs: number; output?: Buffer; error?: string }> {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let output: Buffer | undefined;
  for (let i = 0; i <= runs; i++) {
    const run = await timed(() => sharpThumbnail(file));
    // sharp's prebuilt libvips has no HEVC decoder: no yardstick for HEIC.
    if (run.error) return { ms: NaN, cpuMs: NaN, error: run.error };
    output = run.output;
    if (i > 0) {
      times.push(run.ms);
      cpuTimes.push(run.cpuMs);
    }
  }
  return { ms: median(times), cpuMs: median(cpuTimes), output };
}

async function benchImage(image: BenchImage, workers: Workers, dir: string, args: Args, maxPixels: number): Promise<ImageResult> {
  const budgetMs = args.quick ? 3_000 : 8_000;
  const task = (outFile: string, runs: number): WorkerTask => ({
    file: image.file,
    runs,
    budgetMs,
    minRuns: Math.min(runs, 3),
    outFile,
    sizes: SIZES,
    jpegQuality: JPEG_QUALITY,
    maxPixels,
  });
  const coreOut = path.join(dir, `${image.name}.core.out`);
  const core = runWorker(workers.core, task(coreOut, args.runs));
  const naiveOut = path.join(dir, `${image.name}.jimp.out`);
  const naive = image.naiveJimp ? runWorker(workers.naiveJimp, task(naiveOut, Math.max(1, Math.ceil(args.runs / 3)))) : undefined;
  const sharpRun = await timeSharp(image.file, args.runs);
  const ms = core.warmMs.length ? median(core.warmMs) : core.coldMs;
  const result: ImageResult = {
    name: image.name,
    kind: image.kind,
    megapixels: (image.width * image.height) / 1e6,
    fileBytes: image.bytes,
    ms,
    p95Ms: core.warmMs.length ? percentile(core.warmMs, 95) : core.coldMs,
    maxMs: core.warmMs.length ? Math.max(...core.warmMs) : core.coldMs,
    coldMs: core.coldMs,
    cpuMs: core.warmCpuMs.length ? median(core.warmCpuMs) : core.coldCpuMs,
    p95CpuMs: core.warmCpuMs.length ? percentile(core.warmCpuMs, 95) : core.coldCpuMs,
    coldCpuMs: core.coldCpuMs,
    peakRssMb: core.peakRssMb,
    bytes: core.outputBytes,
    sharpMs: sharpRun.ms,
    sharpCpuMs: sharpRun.cpuMs,
    ratioToSharp: ms / sharpRun.ms,
    cpuRatioToSharp: (core.warmCpuMs.length ? median(core.warmCpuMs) : core.coldCpuMs) / sharpRun.cpuMs,
    error: core.error,
    sharpError: sharpRun.error,
  };
  if (image.name === "jpeg-12mp") {
    const isolated = runWorker(workers.isolated, task(path.join(dir, `${image.name}.isolated.out`), args.runs));
    result.isolatedMs = isolated.warmMs.length ? median(isolated.warmMs) : undefined;
    result.isolatedCpuMs = isolated.warmCpuMs.length ? median(isolated.warmCpuMs) : undefined;
    result.isolatedColdMs = isolated.requireMs + isolated.coldMs;
    result.directColdStartMs = core.requireMs + core.coldMs;
  }
  if (naive) {
    result.naiveJimpMs = naive.warmMs.length ? median(naive.warmMs) : undefined;
    result.naiveJimpCpuMs = naive.warmCpuMs.length ? median(naive.warmCpuMs) : undefined;
    result.naiveJimpPeakRssMb = naive.peakRssMb;
    result.naiveJimpError = naive.error;
  }
  // PSNR's reference is sharp's decode of the source: none for what sharp cannot read (HEIC).
  if (image.kind === "photo" && !sharpRun.error) {
    const upright: RawImage = await decodeUpright(image.file);
    const references = new Map<string, RawImage>();
    if (!core.error && fs.existsSync(coreOut)) result.psnrDb = await thumbnailPsnr(upright, fs.readFileSync(coreOut), references);
    if (naive && !naive.error && fs.existsSync(naiveOut))
      result.naiveJimpPsnrDb = await thumbnailPsnr(upright, fs.readFileSync(naiveOut), references);
    if (sharpRun.output) result.sharpPsnrDb = await thumbnailPsnr(upright, sharpRun.output, references);
  }
  return result;
}

interface MemoryOption {
  memoryMb: number;
  p95Ms24mp: number;
  costPerMillion12mp: number;
  fits: boolean;
}

interface Recommendation {
  memoryMb: number;
  reason: string;
  options: MemoryOption[];
  /** Peak RSS the largest allowed non-JPEG image is expected to need, MB (extrapolated). */
  expectedPeakForMaxPixelsMb: number;
}

/** The bench images whose decoder holds the full-size bitmap (GIF; BMP, tiled TIFF have no rows): what the memory rule is about. */
const FULL_SIZE_DECODE = /^(gif|bmp)-/;

const MEMORY_CANDIDATES = [256, 512, 768, 1024, 1280, 1536, FULL_VCPU_MB, 2048, 3008];

/**
 * Smallest memory that (a) holds the worst peak RSS expected at the stack's maxImagePixels with
 * 25 % headroom, (b) satisfies the stack's own memory rule for maxImagePixels (infra/config.ts,
 * decodeMemoryBytes), and (c) keeps the 24 MP p95 within a tenth of the timeout.
 */
function recommendMemory(results: ImageResult[], stack: ReturnType<typeof readStackDefaults>): Recommendation {
  const byName = new Map(results.map((r) => [r.name, r]));
  // CPU time, not wall: on one vCPU (1,769 MB) a single-threaded call's duration is its CPU
  // time, and wall time here is inflated whenever the machine is shared.
  const p95 = byName.get("jpeg-24mp")?.p95CpuMs ?? NaN;
  const ms12 = byName.get("jpeg-12mp")?.cpuMs ?? NaN;
  // Full-size decoders (GIF, BMP) grow with pixels: fit MB per MP between the smallest and
  // largest of them; without two far enough apart (--quick), use 16 MB per MP, what the full
  // run measured for pngjs (inflated rows, the RGBA bitmap, and garbage not yet collected).
  // JPEG, PNG and striped TIFF shrink as they decode. AVIF is left out: its pixel limit is
  // maxImagePixels scaled down by its own cost per pixel (contract/decodeLimits.ts), so it
  // never reaches maxImagePixels.
  const fullSize = results
    .filter((r) => r.kind === "photo" && FULL_SIZE_DECODE.test(r.name) && r.peakRssMb > 0 && !r.error)
    .sort((a, b) => a.megapixels - b.megapixels);
  const small = fullSize[0];
  const large = fullSize[fullSize.length - 1];
  const slope =
    small && large && large.megapixels >= 4 * small.megapixels
      ? (large.peakRssMb - small.peakRssMb) / (large.megapixels - small.megapixels)
      : 16;
  const anchor = large ?? { peakRssMb: 100, megapixels: 0 };
  const maxMp = stack.maxImagePixels / 1e6;
  const expectedPeak = Math.max(anchor.peakRssMb + slope * (maxMp - anchor.megapixels), ...results.map((r) => r.peakRssMb));
  const stackRuleMb = decodeMemoryBytes(stack.maxImagePixels) / (1024 * 1024);
  const options = MEMORY_CANDIDATES.map((memoryMb) => ({
    memoryMb,
    p95Ms24mp: durationAt(p95, memoryMb),
    costPerMillion12mp: costPerMillion(ms12, memoryMb),
    fits: memoryMb >= expectedPeak * 1.25 && memoryMb >= stackRuleMb && durationAt(p95, memoryMb) <= (stack.timeoutSeconds * 1000) / 10,
  }));
  const chosen = options.find((o) => o.fits) ?? options[options.length - 1];
  return {
    memoryMb: chosen.memoryMb,
    expectedPeakForMaxPixelsMb: expectedPeak,
    options,
    reason:
      `smallest candidate ≥ 1.25 × the peak RSS expected at maxImagePixels=${stack.maxImagePixels} (≈${expectedPeak.toFixed(0)} MB, extrapolated from the full-size decoders), ` +
      `≥ the stack's memory rule for maxImagePixels (${stackRuleMb.toFixed(0)} MB), and keeping the 24 MP p95 (${durationAt(p95, chosen.memoryMb).toFixed(0)} ms there) within a tenth of the ${stack.timeoutSeconds} s timeout`,
  };
}

interface Target {
  what: string;
  met: boolean;
  detail: string;
}

function checkTargets(results: ImageResult[], bundle: BundleFacts): Target[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  const targets: Target[] = [];
  const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? "n/a" : n.toFixed(digits));
  for (const name of ["jpeg-12mp", "jpeg-24mp", "jpeg-48mp", "webp-12mp", "avif-12mp"]) {
    const r = byName.get(name);
    if (!r) continue;
    targets.push({
      what: `${name} ≤ 3× sharp (warm median)`,
      met: !r.error && r.ratioToSharp <= 3,
      detail: `${fmt(r.ms)} ms vs sharp ${fmt(r.sharpMs)} ms = ${fmt(r.ratioToSharp, 2)}× (CPU ${fmt(r.cpuMs)} vs ${fmt(r.sharpCpuMs)} ms = ${fmt(r.cpuRatioToSharp, 2)}×)`,
    });
  }
  const heic = byName.get("heic-12mp");
  if (heic)
    targets.push({
      what: "heic-12mp ≤ 1.5 s warm",
      met: !heic.error && heic.ms <= 1500,
      detail: `${fmt(heic.ms)} ms warm (CPU ${fmt(heic.cpuMs)} ms), cold ${fmt(heic.coldMs)} ms, peak RSS ${fmt(heic.peakRssMb)} MB`,
    });
  const r12 = byName.get("jpeg-12mp");
  if (r12)
    targets.push({
      what: "jpeg-12mp cold ≤ 300 ms",
      met: r12.coldMs <= 300,
      detail: `${fmt(r12.coldMs)} ms (CPU ${fmt(r12.coldCpuMs)} ms)`,
    });
  const r48 = byName.get("jpeg-48mp");
  if (r48) targets.push({ what: "jpeg-48mp peak RSS < 192 MB", met: r48.peakRssMb < 192, detail: `${fmt(r48.peakRssMb)} MB` });
  const png12 = byName.get("png-12mp");
  if (png12) {
    targets.push({
      what: "png-12mp ≤ 3× sharp (warm median)",
      met: !png12.error && png12.ratioToSharp <= 3,
      detail: `${fmt(png12.ms)} ms vs sharp ${fmt(png12.sharpMs)} ms = ${fmt(png12.ratioToSharp, 2)}× (CPU ${fmt(png12.cpuMs)} vs ${fmt(png12.sharpCpuMs)} ms = ${fmt(png12.cpuRatioToSharp, 2)}×)`,
    });
  }
  const png48 = byName.get("png-48mp");
  if (png48)
    targets.push({ what: "png-48mp peak RSS < 256 MB", met: !png48.error && png48.peakRssMb < 256, detail: `${fmt(png48.peakRssMb)} MB` });
  for (const r of results.filter((x) => x.kind === "photo" && !x.name.startsWith("jpeg") && x.naiveJimpMs !== undefined)) {
    targets.push({
      what: `${r.name} no slower than naive jimp`,
      met: r.ms <= (r.naiveJimpMs as number) * 1.05,
      detail: `${fmt(r.ms)} ms vs jimp ${fmt(r.naiveJimpMs)} ms (CPU ${fmt(r.cpuMs)} vs ${fmt(r.naiveJimpCpuMs)} ms)`,
    });
  }
  for (const r of results.filter((x) => x.kind === "bomb")) {
    targets.push({
      what: `${r.name} refused in < 50 ms`,
      met: !!r.error && Math.max(r.coldMs, r.maxMs) < 50,
      detail: `cold ${fmt(r.coldMs, 1)} ms, warm max ${fmt(r.maxMs, 1)} ms: ${r.error ?? "NOT REFUSED"}`,
    });
  }
  for (const r of results.filter((x) => x.psnrDb !== undefined && x.naiveJimpPsnrDb !== undefined)) {
    targets.push({
      what: `${r.name} PSNR within 0.5 dB of naive jimp`,
      met: (r.psnrDb as number) >= (r.naiveJimpPsnrDb as number) - 0.5,
      detail: `${fmt(r.psnrDb, 2)} dB vs jimp ${fmt(r.naiveJimpPsnrDb, 2)} dB`,
    });
  }
  if (r12?.isolatedMs !== undefined && r12.isolatedCpuMs !== undefined) {
    targets.push({
      what: "jpeg-12mp through the decode backstop within 5% of the direct core (warm CPU)",
      met: r12.isolatedCpuMs <= r12.cpuMs * 1.05,
      detail: `${fmt(r12.isolatedCpuMs, 1)} vs ${fmt(r12.cpuMs, 1)} CPU ms (+${fmt((r12.isolatedCpuMs / r12.cpuMs - 1) * 100, 1)}%); wall ${fmt(r12.isolatedMs, 1)} vs ${fmt(r12.ms, 1)} ms`,
    });
    targets.push({
      what: "jpeg-12mp cold start through the backstop within 5% of the direct core",
      met: (r12.isolatedColdMs as number) <= (r12.directColdStartMs as number) * 1.05,
      detail: `thread start + core load + first call ${fmt(r12.isolatedColdMs, 1)} ms vs require + first call ${fmt(r12.directColdStartMs, 1)} ms (+${fmt(((r12.isolatedColdMs as number) / (r12.directColdStartMs as number) - 1) * 100, 1)}%)`,
    });
  }
  targets.push({
    what: "bundle < 600 KB minified",
    met: bundle.bundleBytes < 600 * 1024,
    detail: `${(bundle.bundleBytes / 1024).toFixed(0)} KB (+ ${(bundle.sideFileBytes / 1024).toFixed(0)} KB WASM file beside it, read on the first JPEG)`,
  });
  targets.push({
    what: "require() < 60 ms",
    met: bundle.requireMs < 60,
    detail: `${bundle.requireMs.toFixed(1)} ms (CPU ${bundle.requireCpuMs.toFixed(1)} ms)`,
  });
  return targets;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // libvips caches loaded files by name: warm runs on the same file would then skip the decode
  // (a 12 MP WebP "took" 1.3 ms), which the core cannot do. Every sharp run decodes afresh.
  sharp.cache(false);
  const stack = readStackDefaults();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "thumbnail-bench-"));
  try {
    const started = Date.now();
    const loadBefore = os.loadavg()[0];
    console.log(
      `bench: ${args.quick ? "quick" : "full"} run, ${args.runs} warm runs per image, sizes [${SIZES}], q${JPEG_QUALITY}; ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}`,
    );
    const images = await makeBenchImages(dir, args.quick, args.only);
    console.log(`bench: made ${images.length} images in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const workers = await buildWorkers(path.join(dir, "workers"));
    const bundle = await measureFunctionBundle(args.quick ? 3 : 7);
    const coreRequire = requireTime(workers.coreModule, args.quick ? 3 : 7);

    const results: ImageResult[] = [];
    for (const image of images) {
      const result = await benchImage(image, workers, dir, args, stack.maxImagePixels);
      results.push(result);
      process.stdout.write(`bench: ${image.name} ${result.ms.toFixed(1)} ms${result.error ? ` (${result.error.slice(0, 60)})` : ""}\n`);
    }

    const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(digits));
    console.log(
      "\n" +
        table(
          [
            "image",
            "MP",
            "file KB",
            "ms",
            "p95",
            "max",
            "cold",
            "CPU ms",
            "RSS MB",
            "out B",
            "sharp ms",
            "×sharp",
            "sharp CPU",
            "×CPU",
            "jimp ms",
            "jimp RSS",
            "PSNR",
            "jimp PSNR",
            "sharp PSNR",
          ],
          results.map((r) => [
            r.name,
            fmt(r.megapixels, 1),
            fmt(r.fileBytes / 1024),
            fmt(r.ms, 1),
            fmt(r.p95Ms, 1),
            fmt(r.maxMs, 1),
            fmt(r.coldMs, 1),
            fmt(r.cpuMs, 1),
            fmt(r.peakRssMb),
            fmt(r.bytes),
            fmt(r.sharpMs, 1),
            fmt(r.ratioToSharp, 2),
            fmt(r.sharpCpuMs, 1),
            fmt(r.cpuRatioToSharp, 2),
            fmt(r.naiveJimpMs),
            fmt(r.naiveJimpPeakRssMb),
            fmt(r.psnrDb, 2),
            fmt(r.naiveJimpPsnrDb, 2),
            fmt(r.sharpPsnrDb, 2),
          ]),
        ),
    );
    const refusals = results.filter((r) => r.error);
    if (refusals.length) console.log("\nrefused / failed:\n" + refusals.map((r) => `  ${r.name}: ${r.error}`).join("\n"));
    const noYardstick = results.filter((r) => r.sharpError && r.kind === "photo");
    if (noYardstick.length) {
      console.log(
        "\nno sharp figures (its prebuilt libvips has no HEVC decoder):\n" +
          noYardstick.map((r) => `  ${r.name}: ${r.sharpError}`).join("\n"),
      );
    }

    console.log(
      `\nfunction bundle: ${(bundle.bundleBytes / 1024).toFixed(1)} KB minified + ${(bundle.sideFileBytes / 1024).toFixed(1)} KB WASM beside it; require() ${bundle.requireMs.toFixed(1)} ms, CPU ${bundle.requireCpuMs.toFixed(1)} ms (the thumbnail core alone ${coreRequire.ms.toFixed(1)} ms, CPU ${coreRequire.cpuMs.toFixed(1)} ms)`,
    );

    const recommendation = recommendMemory(results, stack);
    const byName = new Map(results.map((r) => [r.name, r]));
    const costAt = (name: string, memoryMb: number) => {
      const r = byName.get(name);
      return r && !r.error ? costPerMillion(r.cpuMs, memoryMb) : undefined;
    };
    console.log(
      `\nLambda estimate from the core's CPU ms (arm64; CPU ∝ memory, 1 vCPU at ${FULL_VCPU_MB} MB; this machine's core taken as one vCPU; thumbnail work only, S3/DynamoDB time not included):`,
    );
    console.log(
      table(
        ["memory MB", "24 MP p95 ms", "$/M 1 MP", "$/M 12 MP", "$/M 24 MP", "fits"],
        recommendation.options.map((o) => [
          String(o.memoryMb),
          fmt(o.p95Ms24mp),
          fmt(costAt("jpeg-1mp", o.memoryMb), 2),
          fmt(costAt("jpeg-12mp", o.memoryMb), 2),
          fmt(costAt("jpeg-24mp", o.memoryMb), 2),
          o.fits ? "yes" : "no",
        ]),
      ),
    );
    console.log(`configured memory ${stack.memoryMb} MB: $${fmt(costAt("jpeg-12mp", stack.memoryMb), 2)} per million 12 MP photos`);
    console.log(
      `recommended memory ${recommendation.memoryMb} MB: $${fmt(costAt("jpeg-12mp", recommendation.memoryMb), 2)} per million 12 MP photos — ${recommendation.reason}`,
    );

    // In this process (not bundled): the encoders alone, on one bitmap per size (encoders.ts).
    const encoders = await measureEncoders(args.runs);
    console.log("\nencoders (one opaque photo-like bitmap, quality 80; × JPEG = bytes relative to the JPEG of it):");
    console.log(table(ENCODER_HEADERS, encoderTable(encoders)));

    const targets = checkTargets(results, bundle);
    console.log("\ntargets (issue 7):\n" + targets.map((t) => `  ${t.met ? "MET    " : "NOT MET"}  ${t.what}: ${t.detail}`).join("\n"));
    const loadAfter = os.loadavg()[0];
    console.log(
      `\nload average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${os.cpus().length} CPUs${loadAfter > os.cpus().length ? ": the machine was oversubscribed, so wall times are inflated; CPU ms are steadier" : ""}`,
    );
    console.log(`\nbench: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);

    if (args.json) {
      const report = {
        date: new Date().toISOString(),
        machine: {
          cpus: os.cpus().length,
          model: os.cpus()[0]?.model.trim(),
          node: process.version,
          platform: `${os.platform()} ${os.arch()}`,
          loadAverage: { before: loadBefore, after: loadAfter },
        },
        settings: {
          quick: args.quick,
          runs: args.runs,
          sizes: SIZES,
          jpegQuality: JPEG_QUALITY,
          maxPixels: stack.maxImagePixels,
          sharpConcurrency: sharp.concurrency(),
        },
        images: results,
        encoders,
        bundle: {
          bytes: bundle.bundleBytes,
          wasmBytes: bundle.sideFileBytes,
          requireMs: bundle.requireMs,
          requireCpuMs: bundle.requireCpuMs,
          coreRequireMs: coreRequire.ms,
          coreRequireCpuMs: coreRequire.cpuMs,
        },
        lambda: {
          configuredMemoryMb: stack.memoryMb,
          timeoutSeconds: stack.timeoutSeconds,
          costPerMillion12mpAtConfigured: costAt("jpeg-12mp", stack.memoryMb),
          recommendation,
        },
        targets,
      };
      fs.writeFileSync(args.json, JSON.stringify(report, null, 2) + "\n");
      console.log(`bench: wrote ${args.json}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
