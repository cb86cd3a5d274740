/**
 * A PNG straight to the largest thumbnail, never holding the full-size RGBA image: the IDAT
 * data is inflated incrementally (Node's streaming Inflate), each scanline is unfiltered against
 * the previous one, converted to pixels and handed to the box shrinker. What stays in memory is
 * the file, two scanlines, zlib's window and output pieces, and the shrunk bitmap; for an
 * interlaced PNG also its samples in stored form (see shrinkPng).
 *
 * The header has already passed the pixel limit. The inflate is counted against what the header
 * allows (height × (1 + scanline bytes), as pngjs caps it; the seven passes' lines if interlaced): a small IDAT that inflates to
 * gigabytes stops at that many bytes. Short data, a CRC mismatch, a zlib error and a lying
 * header all end as CorruptImage, as on the full-size path.
 */
import * as zlib from "zlib";
import { BoxShrinker } from "../boxShrink";
import { ADAM7, pngCorrupt } from "../pngLimits";
import type { Bitmap } from "../orientation";
import type { PngChunks } from "./chunks";
import { scanlineBytes, ScanlineConverter, unfilter } from "./scanlines";

/** A shrunk bitmap, with whether any source pixel was less than opaque (averaging can hide one). */
export interface ShrunkPng extends Bitmap {
  transparent: boolean;
}

/**
 * Compressed bytes handed to zlib at a time. Encoders write IDAT chunks of 8–64 KB, and each
 * write is a round trip to zlib's thread: one per 8 KB chunk doubled the inflate's CPU time at
 * 12 MP. Output still arrives in OUTPUT_CHUNK_BYTES pieces, so a bomb is counted as it inflates.
 */
const INPUT_BATCH_BYTES = 256 * 1024;
const OUTPUT_CHUNK_BYTES = 128 * 1024;

/** A run of scanlines filtered as one image: the whole image, or one Adam7 pass. */
interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
}

function passesOf(width: number, height: number, interlaced: boolean): Pass[] {
  if (!interlaced) return [{ x0: 0, y0: 0, dx: 1, dy: 1, width, height }];
  return ADAM7.map(([x0, y0, dx, dy]) => ({
    x0,
    y0,
    dx,
    dy,
    width: width > x0 ? Math.ceil((width - x0) / dx) : 0,
    height: height > y0 ? Math.ceil((height - y0) / dy) : 0,
  })).filter((p) => p.width > 0 && p.height > 0);
}

/**
 * A PNG shrunk to targetWidth × targetHeight. Non-interlaced, each scanline goes to the shrinker
 * as it is inflated. Interlaced (Adam7), a row is complete only after the last pass, so the
 * unfiltered samples are gathered first into one image in their stored form (1 bit to 8 bytes a
 * pixel, not 4 bytes of RGBA plus pngjs's copies) and shrunk row by row after.
 */
export async function shrinkPng(png: PngChunks, targetWidth: number, targetHeight: number): Promise<ShrunkPng> {
  const { width, height, channels, bitDepth, interlaced } = png.header;
  const bitsPerPixel = channels * bitDepth;
  const bytesPerPixel = Math.max(1, bitsPerPixel >> 3);
  const rowBytes = scanlineBytes(width, channels, bitDepth);
  const converter = new ScanlineConverter(png);
  const shrinker = new BoxShrinker(width, height, targetWidth, targetHeight);
  const passes = passesOf(width, height, interlaced);
  const expected = passes.reduce((sum, p) => sum + p.height * (1 + scanlineBytes(p.width, channels, bitDepth)), 0);
  let transparent = false;

  const shrinkRow = (line: Uint8Array, row: number) => {
    const pixels = converter.pixelsOf(line, row);
    if (!converter.opaque && !transparent) transparent = anyTransparent(pixels, width);
    shrinker.addRow(pixels, converter.stride, converter.opaque);
  };
  const image = interlaced ? new Uint8Array(rowBytes * height) : undefined;
  const onLine = image
    ? (pass: Pass, passRow: number, line: Uint8Array) => scatter(line, pass, passRow, image, rowBytes, bitsPerPixel)
    : (_pass: Pass, passRow: number, line: Uint8Array) => shrinkRow(line, passRow);

  let p = 0;
  let passRow = 0;
  let lineLength = 1 + scanlineBytes(passes[0].width, channels, bitDepth);
  let line = new Uint8Array(1 + rowBytes);
  let previous = new Uint8Array(1 + rowBytes);
  let filled = 0;
  let inflated = 0;

  const takeLine = () => {
    const current = line.subarray(0, lineLength);
    unfilter(current, previous.subarray(0, lineLength), bytesPerPixel, passRow);
    onLine(passes[p], passRow, current.subarray(1));
    [line, previous] = [previous, line];
    if (++passRow === passes[p].height && ++p < passes.length) {
      passRow = 0;
      lineLength = 1 + scanlineBytes(passes[p].width, channels, bitDepth);
      previous.fill(0); // Each pass is filtered as an image of its own.
    }
  };

  const take = (piece: Buffer) => {
    inflated += piece.length;
    if (inflated > expected) {
      throw pngCorrupt(
        `the image data inflates to more than ${expected} bytes, all that a ${width}×${height} image at ${bitsPerPixel} bits a pixel holds`,
      );
    }
    for (let at = 0; at < piece.length;) {
      const n = Math.min(piece.length - at, lineLength - filled);
      line.set(piece.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === lineLength) {
        takeLine();
        filled = 0;
      }
    }
  };

  await inflateInto(png.idat, take);
  if (inflated < expected) {
    throw pngCorrupt(
      `the image data inflates to ${inflated} bytes, fewer than the ${expected} a ${width}×${height}${interlaced ? " interlaced" : ""} image at ${bitsPerPixel} bits a pixel needs (truncated, or the header lies)`,
    );
  }
  if (image) for (let y = 0; y < height; y++) shrinkRow(image.subarray(y * rowBytes, (y + 1) * rowBytes), y);
  return { ...shrinker.result(), transparent };
}

/** Puts one unfiltered pass scanline's pixels where they belong in the stored-form image. */
function scatter(line: Uint8Array, pass: Pass, passRow: number, image: Uint8Array, rowBytes: number, bitsPerPixel: number): void {
  const rowStart = (pass.y0 + passRow * pass.dy) * rowBytes;
  if (bitsPerPixel >= 8) {
    const bpp = bitsPerPixel >> 3;
    for (let i = 0, x = pass.x0; i < pass.width; i++, x += pass.dx) {
      const from = i * bpp;
      const to = rowStart + x * bpp;
      for (let b = 0; b < bpp; b++) image[to + b] = line[from + b];
    }
    return;
  }
  const mask = (1 << bitsPerPixel) - 1;
  for (let i = 0, x = pass.x0; i < pass.width; i++, x += pass.dx) {
    const fromBit = i * bitsPerPixel;
    const sample = (line[fromBit >> 3] >> (8 - bitsPerPixel - (fromBit & 7))) & mask;
    const toBit = x * bitsPerPixel;
    image[rowStart + (toBit >> 3)] |= sample << (8 - bitsPerPixel - (toBit & 7));
  }
}

function anyTransparent(rgba: Uint8Array, width: number): boolean {
  for (let i = 3; i < width * 4; i += 4) if (rgba[i] !== 255) return true;
  return false;
}

/**
 * The IDAT payloads regrouped into pieces of INPUT_BATCH_BYTES: small ones copied together into
 * one buffer, reused for every batch (zlib is done with it when the write's callback runs, and
 * the next batch is made only then), large ones cut without a copy.
 */
function* batches(idat: readonly Uint8Array[]): Generator<Uint8Array> {
  const joined = Buffer.allocUnsafe(INPUT_BATCH_BYTES);
  let grouped = 0;
  for (const chunk of idat) {
    for (let at = 0; at < chunk.length;) {
      if (grouped === 0 && chunk.length - at >= INPUT_BATCH_BYTES) {
        yield chunk.subarray(at, at + INPUT_BATCH_BYTES);
        at += INPUT_BATCH_BYTES;
        continue;
      }
      const piece = chunk.subarray(at, at + INPUT_BATCH_BYTES - grouped);
      joined.set(piece, grouped);
      grouped += piece.length;
      at += piece.length;
      if (grouped === INPUT_BATCH_BYTES) {
        yield joined;
        grouped = 0;
      }
    }
  }
  if (grouped > 0) yield joined.subarray(0, grouped);
}

/**
 * Inflates the IDAT payloads in order, giving each output piece to `take`; `take` may throw to
 * stop. Rejects on zlib errors and on a stream that does not end (truncated).
 *
 * Pieces are taken in a microtask, after zlib has already been handed the next piece of work:
 * its thread inflates while this one unfilters and shrinks (half the wall time on two cores;
 * no more CPU). zlib waits for this thread before delivering again, so at most one piece waits.
 */
function inflateInto(idat: readonly Uint8Array[], take: (piece: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const inflate = zlib.createInflate({ chunkSize: OUTPUT_CHUNK_BYTES });
    const waiting: Buffer[] = [];
    let draining = false;
    let ended = false;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      waiting.length = 0;
      inflate.destroy();
      reject(err instanceof Error && "errno" in err ? pngCorrupt(`the image data is not a valid zlib stream: ${err.message}`) : err);
    };
    const drain = () => {
      try {
        for (let piece = waiting.shift(); piece && !failed; piece = waiting.shift()) take(piece);
      } catch (err) {
        fail(err);
      }
      draining = false;
      if (ended && !failed) resolve();
    };
    inflate.on("data", (piece: Buffer) => {
      if (failed) return;
      waiting.push(piece);
      if (!draining) {
        draining = true;
        queueMicrotask(drain);
      }
    });
    inflate.on("error", fail);
    inflate.on("end", () => {
      ended = true;
      if (!draining && !failed) resolve();
    });
    const source = batches(idat);
    const next = () => {
      if (failed) return;
      const step = source.next();
      if (step.done) inflate.end();
      else inflate.write(step.value, next);
    };
    next();
  });
}
