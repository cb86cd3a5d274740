/**
 * Turns source bytes into an RGBA bitmap, one decoder per format, called directly rather
 * than through Jimp.read so that (a) decoder limits are passed on, (b) jimp does not rotate
 * the full-size bitmap on read, and (c) only the decoders used are bundled. The header has
 * already been checked against the pixel limit when these run.
 *
 * Each decoder library is require()d on first use: esbuild still bundles it, but evaluates it
 * only when an image of its format arrives, which keeps the cold start short.
 */
import type * as Pngjs from "pngjs";
import type * as BmpTs from "bmp-ts";
import type UtifType from "utif2";
import { decodeJpeg, JpegTooLargeError, JpegTooManyScansError } from "./jpegDecoder";
import { assertBmpPaletteFits } from "./bmpPalette";
import { FailureReason } from "../../../contract/failureReasons";
import { isAllocationFailure, PermanentError } from "./errors";
import type { ImageHeader } from "./imageHeader";
import { decodeGif } from "./gifDecoder";
import { assertPngImageData, noImageData } from "./pngLimits";
import { readTiffPage } from "./tiffDirectory";
import type { Bitmap } from "./orientation";
import { readPngChunks } from "./png/chunks";
import { shrinkPng } from "./png/streamDecoder";
import { decodeWebp } from "./webp/decode";
import { decodesByStrip, shrinkTiffByStrip } from "./tiffStrips";
import { decodeAvif } from "./avif/decode";
import { decodeHeic } from "./heic/decode";

export interface DecodeRequest {
  /** The bitmap must cover at least this (stored orientation); decoders may return more. */
  minWidth: number;
  minHeight: number;
  maxPixels: number;
}

/** A decoded bitmap; `transparent` is set when it is smaller than the image, whose transparency averaging may have hidden. */
export interface DecodedImage extends Bitmap {
  transparent?: boolean;
}

/**
 * The bitmap the thumbnailer starts from. A PNG is shrunk while it is inflated
 * (png/streamDecoder.ts) and a striped TIFF strip by strip (tiffStrips.ts), straight to
 * minWidth × minHeight, so their full-size bitmaps never exist; everything else is decoded by
 * decodeBitmap.
 */
export async function decodeForThumbnail(bytes: Uint8Array, header: ImageHeader, request: DecodeRequest): Promise<DecodedImage> {
  let shrunk: DecodedImage | undefined;
  try {
    if (header.format === "png") shrunk = await shrinkPngOnLoad(bytes, request);
    else if (header.format === "tiff") shrunk = shrinkTiffOnLoad(bytes, request);
  } catch (err) {
    throw decodeFailure(err, header);
  }
  if (!shrunk) return decodeBitmap(bytes, header, request);
  assertHasPixels(shrunk, header);
  return shrunk;
}

async function shrinkPngOnLoad(bytes: Uint8Array, request: DecodeRequest): Promise<DecodedImage> {
  const png = readPngChunks(bytes);
  if (png.idat.length === 0) throw noImageData();
  return shrinkPng(png, Math.min(request.minWidth, png.header.width), Math.min(request.minHeight, png.header.height));
}

/** Undefined for a TIFF whose layout only the full-size path decodes (tiles, planes, floats, fax and JPEG codecs). */
function shrinkTiffOnLoad(bytes: Uint8Array, request: DecodeRequest): DecodedImage | undefined {
  const { page, layout } = readTiffPage(bytes, request.maxPixels, { decodeLzw: false });
  if (!decodesByStrip(page, layout)) return undefined;
  const { width, height } = layout;
  return shrinkTiffByStrip(bytes, page, layout, Math.min(request.minWidth, width), Math.min(request.minHeight, height));
}

export function decodeBitmap(bytes: Uint8Array, header: ImageHeader, request: DecodeRequest): Bitmap {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let bitmap: Bitmap;
  try {
    switch (header.format) {
      case "jpeg":
        bitmap = decodeJpeg(bytes, request);
        break;
      case "png": {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: evaluated only when an image of this format arrives (cold start)
        const { PNG } = require("pngjs") as typeof Pngjs;
        assertPngImageData(buffer);
        const png = PNG.sync.read(buffer);
        bitmap = { width: png.width, height: png.height, data: png.data };
        break;
      }
      case "gif":
        bitmap = decodeGif(bytes, request.maxPixels);
        break;
      case "bmp":
        bitmap = decodeBmp(buffer);
        break;
      case "tiff":
        bitmap = decodeTiff(bytes, request.maxPixels);
        break;
      case "webp":
        bitmap = decodeWebp(bytes);
        break;
      case "avif":
        bitmap = decodeAvif(bytes, request.maxPixels);
        break;
      case "heic":
        bitmap = decodeHeic(bytes, request.maxPixels);
        break;
    }
  } catch (err) {
    throw decodeFailure(err, header);
  }
  assertHasPixels(bitmap, header);
  return bitmap;
}

/** Any decoder's error as the permanent failure it is recorded as. */
function decodeFailure(err: unknown, header: ImageHeader): PermanentError {
  if (err instanceof PermanentError) return err;
  // The JPEG decoder's own backstop to the header check (e.g. a frame header this parser did not see).
  if (err instanceof JpegTooLargeError) return new PermanentError(FailureReason.TooManyPixels, err.message, { cause: err });
  if (err instanceof JpegTooManyScansError) return new PermanentError(FailureReason.TooComplex, err.message, { cause: err });
  if (isAllocationFailure(err)) {
    return new PermanentError(
      FailureReason.AllocationFailed,
      `${header.format.toUpperCase()} decoding could not allocate the memory it asked for: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return new PermanentError(
    FailureReason.CorruptImage,
    `${header.format.toUpperCase()} data cannot be decoded: ${(err as Error)?.message ?? String(err)}`,
    { cause: err },
  );
}

function assertHasPixels(bitmap: Bitmap, header: ImageHeader): void {
  if (!(bitmap.width > 0 && bitmap.height > 0) || bitmap.data.length < bitmap.width * bitmap.height * 4) {
    throw new PermanentError(FailureReason.CorruptImage, `${header.format.toUpperCase()} decoder returned no pixels`);
  }
}

function decodeBmp(buffer: Buffer): Bitmap {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: evaluated only when an image of this format arrives (cold start)
  const bmp = require("bmp-ts") as typeof BmpTs;
  assertBmpPaletteFits(buffer);
  const decoded = bmp.decode(buffer);
  const data = decoded.data;
  // bmp-ts yields ABGR with an unused alpha byte.
  for (let i = 0; i < data.length; i += 4) {
    const b = data[i + 1];
    const g = data[i + 2];
    const r = data[i + 3];
    data[i] = r;
    data[i + 1] = g;
    data[i + 2] = b;
    data[i + 3] = 0xff;
  }
  return { width: decoded.width, height: decoded.height, data };
}

function decodeTiff(bytes: Uint8Array, maxPixels: number): Bitmap {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: evaluated only when an image of this format arrives (cold start)
  const UTIF = require("utif2") as typeof UtifType;
  // Only the first page is read and checked; utif2 is never given the file's directory structure to follow.
  const { page, data } = readTiffPage(bytes, maxPixels);
  const width = page.t256 as number[];
  const height = page.t257 as number[];
  const arrayBuffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const ifd = page as unknown as UtifType.IFD;
  UTIF.decodeImage(arrayBuffer, ifd);
  const rgba = UTIF.toRGBA8(ifd);
  return { width: width[0], height: height[0], data: Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength) };
}
