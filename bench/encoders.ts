/**
 * What each thumbnail format costs to encode, at the two sizes renditions typically use (a 256 px
 * grid tile, a 1024 px preview): warm median ms and CPU ms, the first call (WASM compiled),
 * the bytes, and PSNR against the bitmap encoded. Photo-like pixels (images.ts) at 4:3, opaque;
 * the same bitmap for every format, each at the stack's default quality (80). Run as part of
 * `npm run bench`, or alone: `ts-node --transpile-only bench/encoders.ts`.
 */
import sharp from "sharp";
import { encodeThumbnail } from "../function/src/core/encoders";
import type { ThumbnailFormat } from "../contract/formats";
import { photoPixels } from "./images";
import { psnr } from "./quality";

export interface EncoderRow {
  format: ThumbnailFormat;
  width: number;
  height: number;
  firstMs: number;
  ms: number;
  cpuMs: number;
  bytes: number;
  /** Bytes relative to the JPEG of the same bitmap. */
  bytesToJpeg: number;
  psnrDb: number;
}

const QUALITY = { jpeg: 80, webp: 80 };
export const ENCODER_SIZES = [256, 1024] as const;
const FORMATS: ThumbnailFormat[] = ["jpeg", "webp", "png"];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function measureEncoders(runs: number): Promise<EncoderRow[]> {
  const rows: EncoderRow[] = [];
  for (const width of ENCODER_SIZES) {
    const height = (width * 3) / 4;
    const bitmap = { width, height, data: photoPixels(width, height, 4) };
    const reference = { width, height, channels: 4, data: bitmap.data };
    let jpegBytes = 0;
    for (const format of FORMATS) {
      let started = performance.now();
      const encoded = encodeThumbnail(bitmap, format, QUALITY);
      const firstMs = performance.now() - started;
      const times: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < runs; i++) {
        const cpuStart = process.cpuUsage();
        started = performance.now();
        encodeThumbnail(bitmap, format, QUALITY);
        times.push(performance.now() - started);
        const used = process.cpuUsage(cpuStart);
        cpu.push((used.user + used.system) / 1000);
      }
      if (format === "jpeg") jpegBytes = encoded.length;
      const { data, info } = await sharp(encoded).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      // Colour only: the source is opaque, and PNG is lossless (PSNR ∞).
      const decoded = { width: info.width, height: info.height, channels: info.channels, data };
      rows.push({
        format,
        width,
        height,
        firstMs,
        ms: median(times),
        cpuMs: median(cpu),
        bytes: encoded.length,
        bytesToJpeg: encoded.length / jpegBytes,
        psnrDb: psnr({ ...reference, channels: 4, data: stripAlpha(reference.data) }, { ...decoded, data: stripAlpha(decoded.data) }),
      });
    }
  }
  return rows;
}

/** RGB of RGBA, for a PSNR of colour alone. */
function stripAlpha(rgba: Uint8Array): Uint8Array {
  const rgb = new Uint8Array((rgba.length / 4) * 4);
  for (let i = 0; i < rgba.length; i += 4) {
    rgb[i] = rgba[i];
    rgb[i + 1] = rgba[i + 1];
    rgb[i + 2] = rgba[i + 2];
    rgb[i + 3] = 255;
  }
  return rgb;
}

export function encoderTable(rows: EncoderRow[]): string[][] {
  return rows.map((r) => [
    r.format,
    `${r.width}×${r.height}`,
    r.firstMs.toFixed(1),
    r.ms.toFixed(1),
    r.cpuMs.toFixed(1),
    String(r.bytes),
    r.bytesToJpeg.toFixed(2),
    Number.isFinite(r.psnrDb) ? r.psnrDb.toFixed(1) : "∞",
  ]);
}

export const ENCODER_HEADERS = ["format", "size", "first ms", "warm ms", "CPU ms", "bytes", "× JPEG", "PSNR dB"];

if (require.main === module) {
  measureEncoders(Number(process.argv[2] ?? 9)).then(
    (rows) => {
      console.log([ENCODER_HEADERS, ...encoderTable(rows)].map((r) => r.join("\t")).join("\n"));
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
