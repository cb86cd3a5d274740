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
import { assertPngImageData } from "./pngLimits";
import { readTiffPage } from "./tiffDirectory";
import type { Bitmap } from "./orientation";
import { decodeWebp } from "./webp/decode";
import { decodeAvif } from "./avif/decode";
import { decodeHeic } from "./heic/decode";

export interface DecodeRequest {
  /** The bitmap must cover at least this (stored orientation); decoders may return more. */
  minWidth: number;
  minHeight: number;
  maxPixels: number;
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
    if (err instanceof PermanentError) throw err;
    // The JPEG decoder's own backstop to the header check (e.g. a frame header this parser did not see).
    if (err instanceof JpegTooLargeError) throw new PermanentError(FailureReason.TooManyPixels, err.message, { cause: err });
    if (err instanceof JpegTooManyScansError) throw new PermanentError(FailureReason.TooComplex, err.message, { cause: err });
    if (isAllocationFailure(err)) {
      throw new PermanentError(
        FailureReason.AllocationFailed,
        `${header.format.toUpperCase()} decoding could not allocate the memory it asked for: ${(err as Error).message}`,
        { cause: err },
      );
    }
    throw new PermanentError(
      FailureReason.CorruptImage,
      `${header.format.toUpperCase()} data cannot be decoded: ${(err as Error)?.message ?? String(err)}`,
      { cause: err },
    );
  }
  if (!(bitmap.width > 0 && bitmap.height > 0) || bitmap.data.length < bitmap.width * bitmap.height * 4) {
    throw new PermanentError(FailureReason.CorruptImage, `${header.format.toUpperCase()} decoder returned no pixels`);
  }
  return bitmap;
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
