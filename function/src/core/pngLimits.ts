/**
 * Holds a PNG's compressed image data to the size its header allows before pngjs inflates it.
 * pngjs caps the inflate of a non-interlaced PNG at exactly height × (1 + row bytes), but
 * inflates an interlaced one with no limit: a 1×1 interlaced PNG whose IDAT inflates to
 * 1.5 GB took 13 s and 3 GB before it was refused. This inflates with Node's zlib capped at
 * what the seven Adam7 passes hold, so such a file stops after that many bytes.
 */
import * as zlib from "zlib";
import { FailureReason } from "../../../contract/failureReasons";
import { PermanentError } from "./errors";

const SIGNATURE_BYTES = 8;
/** Channels per pixel by colour type (greyscale, RGB, palette, grey+alpha, RGBA). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: x start, y start, x step, y step. */
export const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The CorruptImage every PNG check throws, so all of them read alike. */
export function pngCorrupt(what: string): PermanentError {
  return new PermanentError(FailureReason.CorruptImage, `PNG is invalid: ${what}`);
}

/** pngjs "decodes" a PNG without IDAT from uninitialised memory, sometimes into a picture; both paths refuse it with this. */
export function noImageData(): PermanentError {
  return pngCorrupt("it has no IDAT chunk (no image data)");
}

/** Bytes the filtered, interlaced scanlines of a width × height image take: per pass, rows × (filter byte + row bytes). */
export function adam7InflatedSize(width: number, height: number, bitsPerPixel: number): number {
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const passWidth = width > x0 ? Math.ceil((width - x0) / dx) : 0;
    const passHeight = height > y0 ? Math.ceil((height - y0) / dy) : 0;
    if (passWidth > 0 && passHeight > 0) total += passHeight * (1 + Math.ceil((passWidth * bitsPerPixel) / 8));
  }
  return total;
}

/**
 * Throws CorruptImage when a PNG has no image data (pngjs then "decodes" uninitialised memory,
 * sometimes into a picture) or, if interlaced, image data that inflates past what its header allows.
 */
export function assertPngImageData(png: Buffer): void {
  if (png.length < SIGNATURE_BYTES + 8 + 13) return; // pngjs reports the truncation.
  const idat: Buffer[] = [];
  for (let at = SIGNATURE_BYTES; at + 8 <= png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    if (type === "IDAT") idat.push(png.subarray(at + 8, Math.min(png.length, at + 8 + length)));
    if (type === "IEND") break;
    at += 12 + length;
  }
  if (idat.length === 0) throw noImageData();

  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const bitDepth = png[24];
  const channels = CHANNELS[png[25]];
  const interlaced = png[28] === 1;
  if (!interlaced || channels === undefined) return;
  const limit = adam7InflatedSize(width, height, channels * bitDepth);
  try {
    zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: Math.max(1, limit) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw pngCorrupt(
        `the interlaced image data inflates to more than ${limit} bytes, all that a ${width}×${height} image at ${channels * bitDepth} bits a pixel holds`,
      );
    }
    // Other damage is pngjs's to report, as before.
  }
}
