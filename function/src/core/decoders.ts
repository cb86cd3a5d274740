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
import type * as Omggif from "omggif";
import type * as BmpTs from "bmp-ts";
import type UtifType from "utif2";
import { decodeJpeg, JpegTooLargeError } from "./jpegDecoder";
import { assertBmpPaletteFits } from "./bmpPalette";
import { decodeTiffLzw } from "./tiffLzw";
import { FailureReason, PermanentError } from "./errors";
import { assertPixelLimit, type ImageHeader } from "./imageHeader";
import type { Bitmap } from "./orientation";

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
        const { PNG } = require("pngjs") as typeof Pngjs;
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
        bitmap = decodeTiff(bytes, header, request.maxPixels);
        break;
    }
  } catch (err) {
    if (err instanceof PermanentError) throw err;
    // The JPEG decoder's own backstop to the header check (e.g. a frame header this parser did not see).
    if (err instanceof JpegTooLargeError) throw new PermanentError(FailureReason.TooManyPixels, err.message, { cause: err });
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

function decodeGif(bytes: Uint8Array, maxPixels: number): Bitmap {
  const { GifReader } = require("omggif") as typeof Omggif;
  const reader = new GifReader(bytes);
  if (reader.numFrames() < 1) throw new Error("no frames");
  // A frame may declare itself larger than the logical screen; its LZW buffer is sized by the frame.
  const frame = reader.frameInfo(0);
  assertPixelLimit({ format: "gif", width: frame.width, height: frame.height, orientation: 1 }, maxPixels);
  const data = Buffer.alloc(reader.width * reader.height * 4);
  reader.decodeAndBlitFrameRGBA(0, data);
  return { width: reader.width, height: reader.height, data };
}

function decodeBmp(buffer: Buffer): Bitmap {
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

function decodeTiff(bytes: Uint8Array, header: ImageHeader, maxPixels: number): Bitmap {
  const UTIF = require("utif2") as typeof UtifType;
  (UTIF.decode as unknown as { _decodeLZW: typeof decodeTiffLzw })._decodeLZW = decodeTiffLzw;
  const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const ifds = UTIF.decode(arrayBuffer);
  const page = ifds[0];
  if (!page) throw new Error("no image directory");
  const width = Number((page["t256"] as number[] | undefined)?.[0] ?? header.width);
  const height = Number((page["t257"] as number[] | undefined)?.[0] ?? header.height);
  assertPixelLimit({ format: "tiff", width, height, orientation: 1 }, maxPixels);
  // Only the first page is decoded, so later pages cannot be bombs.
  UTIF.decodeImage(arrayBuffer, page);
  const rgba = UTIF.toRGBA8(page);
  return { width, height, data: Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength) };
}
