/**
 * `npx ts-node --transpile-only bench/decodeMemory.ts [variant…]`
 *
 * Peak memory a full-size decode needs per pixel, the figure behind the memory rule
 * (DECODE_BYTES_PER_PIXEL in contract/decodeLimits.ts). Each variant is encoded by sharp at two
 * sizes and thumbnailed once by the bundled core in a fresh process; the slope of the peak RSS
 * (VmHWM) between the two sizes is the decode's cost per pixel, free of the runtime's own base.
 * PNG is the reference: its full-size decode is what the rule was first measured on.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { DECODE_BYTES_PER_PIXEL, decodeMemoryBytes } from "../contract/decodeLimits";
import { buildWorkers } from "./bundles";
import { photoPixels } from "./images";
import { runWorker } from "./workerRun";

interface Variant {
  name: string;
  extension: string;
  /** Two sizes [width, height]: the slope is taken between them. */
  sizes: [[number, number], [number, number]];
  alpha?: boolean;
  encode: (image: sharp.Sharp) => sharp.Sharp;
}

/** 12 and 48 MP. */
const SIZES: Variant["sizes"] = [
  [4000, 3000],
  [8000, 6000],
];

const VARIANTS: Variant[] = [
  { name: "png", extension: "png", sizes: SIZES, encode: (i) => i.png({ compressionLevel: 1 }) },
  { name: "webp-lossy", extension: "webp", sizes: SIZES, encode: (i) => i.webp({ quality: 80 }) },
  { name: "webp-lossy-alpha", extension: "webp", alpha: true, sizes: SIZES, encode: (i) => i.webp({ quality: 80 }) },
  { name: "webp-lossless", extension: "webp", sizes: SIZES, encode: (i) => i.webp({ lossless: true, effort: 0 }) },
  // sharp's prebuilt libvips writes 8-bit AVIF only.
  { name: "avif-420", extension: "avif", sizes: SIZES, encode: (i) => i.avif({ quality: 50, effort: 0 }) },
  {
    name: "avif-444-alpha",
    extension: "avif",
    alpha: true,
    sizes: SIZES,
    encode: (i) => i.avif({ quality: 50, effort: 0, chromaSubsampling: "4:4:4" }),
  },
];

const MIB = 2 ** 20;

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !VARIANTS.some((v) => v.name === w));
  if (unknown.length)
    throw new Error(`decodeMemory: unknown variant(s) ${unknown.join(", ")}; known: ${VARIANTS.map((v) => v.name).join(", ")}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "decode-memory-"));
  try {
    const workers = await buildWorkers(dir);
    console.log(`variant | MP | peak RSS MB | rule MB (${DECODE_BYTES_PER_PIXEL} B/px + base) | slope B/px`);
    for (const variant of VARIANTS.filter((v) => !wanted.length || wanted.includes(v.name))) {
      const peaks: Array<{ pixels: number; peakMb: number }> = [];
      for (const [width, height] of variant.sizes) {
        const channels = variant.alpha ? 4 : 3;
        const file = path.join(dir, `${variant.name}-${width}x${height}.${variant.extension}`);
        await variant.encode(sharp(photoPixels(width, height, channels), { raw: { width, height, channels } })).toFile(file);
        const report = runWorker(workers.core, {
          file,
          runs: 0,
          budgetMs: 0,
          minRuns: 0,
          outFile: path.join(dir, "out"),
          sizes: [256],
          jpegQuality: 80,
          maxPixels: width * height,
        });
        if (report.error) throw new Error(`decodeMemory: ${variant.name} ${width}×${height}: ${report.error}`);
        peaks.push({ pixels: width * height, peakMb: report.peakRssMb });
        fs.rmSync(file);
      }
      const [small, large] = peaks;
      const slope = ((large.peakMb - small.peakMb) * MIB) / (large.pixels - small.pixels);
      for (const p of peaks) {
        const slopeText = p === large ? slope.toFixed(1) : "";
        console.log(
          `${variant.name} | ${(p.pixels / 1e6).toFixed(0)} | ${p.peakMb.toFixed(0)} | ${(decodeMemoryBytes(p.pixels) / MIB).toFixed(0)} | ${slopeText}`,
        );
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
