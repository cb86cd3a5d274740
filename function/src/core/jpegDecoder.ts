/**
 * JPEG decoding for the thumbnail core. The core asks for a bitmap no smaller than the
 * thumbnail needs; this decodes at the largest DCT scale (1/8, 1/4, 1/2) that still covers
 * minWidth × minHeight, using libjpeg-turbo compiled to WebAssembly: a 1/8 decode of a 12 MP
 * photo never holds the full-size bitmap, which is most of a naive decode's time and memory.
 * The core resizes, orients and encodes.
 *
 * Anything libjpeg-turbo rejects or only decodes with a warning (corrupt entropy data,
 * stray bytes, truncation) goes to jpeg-js at full size, which is what jimp itself would have
 * done; if that fails too, the error says why. The pixel limit is checked on the frame header
 * before either decoder allocates, and so is the number of scans (a progressive "CPU bomb").
 */
import * as jpeg from "jpeg-js";
import { invertedCmykToRgbaInPlace } from "./jpeg/cmyk";
import { JpegCorruptError, JpegDecodeError, JpegTooLargeError, JpegTooManyScansError, MAX_JPEG_SCAN_MEGAPIXELS } from "./jpeg/errors";
import { countJpegScans, readJpegFrameSize } from "./jpeg/header";
import { chooseDenominator } from "./jpeg/scale";
import { decodeScaled, JpegColorSpace } from "./jpeg/turbo";
import { isAllocationFailure } from "./errors";

export { JpegCorruptError, JpegDecodeError, JpegTooLargeError, JpegTooManyScansError, MAX_JPEG_SCAN_MEGAPIXELS } from "./jpeg/errors";

/** Most scans a JPEG may have (libjpeg-turbo's tools suggest the same order of limit). */
export const MAX_JPEG_SCANS = 500;

export interface DecodedBitmap {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row-major, no padding. */
  data: Buffer;
}

export interface JpegDecodeRequest {
  /** The decoded bitmap must be at least this wide (stored orientation, before EXIF rotation). */
  minWidth: number;
  /** The decoded bitmap must be at least this tall (stored orientation, before EXIF rotation). */
  minHeight: number;
  /** Largest width × height the decoder may allocate for, as a backstop to the header check. */
  maxPixels: number;
}

/** A decoded JPEG, with which decoder produced it and at what DCT scale (1 = full size). */
export interface DecodedJpeg extends DecodedBitmap {
  decoder: "libjpeg-turbo" | "jpeg-js";
  denominator: number;
}

export function decodeJpeg(bytes: Uint8Array, request: JpegDecodeRequest): DecodedJpeg {
  checkRequest(request);
  const frame = readJpegFrameSize(bytes);
  if (frame) checkPixels(frame.width, frame.height, request.maxPixels);
  const scans = countJpegScans(bytes);
  if (scans > MAX_JPEG_SCANS) throw new JpegTooManyScansError(scans, MAX_JPEG_SCANS);
  // Both decoders, the jpeg-js fallback included, run after this check.
  if (frame) assertScanBudget(scans, frame.width * frame.height);
  try {
    const decoded = decodeScaled(
      bytes,
      (header) => chooseDenominator(header.width, header.height, request.minWidth, request.minHeight),
      (header) => checkPixels(header.width, header.height, request.maxPixels),
    );
    if (!decoded.warned) {
      const cmyk = decoded.header.colorSpace === JpegColorSpace.Cmyk || decoded.header.colorSpace === JpegColorSpace.Ycck;
      if (cmyk) invertedCmykToRgbaInPlace(decoded.data);
      return {
        width: decoded.width,
        height: decoded.height,
        data: decoded.data,
        decoder: "libjpeg-turbo",
        denominator: decoded.denominator,
      };
    }
  } catch (error) {
    // Out of memory: jpeg-js would need more (a full-size bitmap), not less.
    if (error instanceof JpegDecodeError || isAllocationFailure(error)) throw error;
    // Anything else from libjpeg-turbo: let jpeg-js have its say below.
  }
  return decodeFullSizeWithJpegJs(bytes, request.maxPixels);
}

function decodeFullSizeWithJpegJs(bytes: Uint8Array, maxPixels: number): DecodedJpeg {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: Math.max(1, Math.ceil(maxPixels / 1_000_000)),
      // RGBA at maxPixels plus jpeg-js's component buffers.
      maxMemoryUsageInMB: Math.ceil((maxPixels * 8) / (1024 * 1024)) + 64,
    });
  } catch (error) {
    if (isAllocationFailure(error)) throw error;
    throw new JpegCorruptError(`not a decodable JPEG: neither libjpeg-turbo nor jpeg-js accepts it (jpeg-js: ${(error as Error).message})`);
  }
  if (!(decoded.width > 0 && decoded.height > 0) || decoded.data.length !== decoded.width * decoded.height * 4) {
    throw new JpegCorruptError(`jpeg-js returned an empty or inconsistent ${decoded.width}×${decoded.height} bitmap`);
  }
  checkPixels(decoded.width, decoded.height, maxPixels);
  return {
    width: decoded.width,
    height: decoded.height,
    data: Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength),
    decoder: "jpeg-js",
    denominator: 1,
  };
}

/** Throws JpegTooManyScansError when scans × megapixels exceeds MAX_JPEG_SCAN_MEGAPIXELS. */
export function assertScanBudget(scans: number, pixels: number): void {
  const megapixels = pixels / 1_000_000;
  if (scans * megapixels > MAX_JPEG_SCAN_MEGAPIXELS) {
    throw new JpegTooManyScansError(scans, Math.floor(MAX_JPEG_SCAN_MEGAPIXELS / megapixels), megapixels);
  }
}

function checkPixels(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) throw new JpegTooLargeError(width, height, maxPixels);
}

function checkRequest(request: JpegDecodeRequest): void {
  for (const key of ["minWidth", "minHeight", "maxPixels"] as const) {
    const value = request[key];
    if (!Number.isFinite(value) || value < 1) {
      throw new RangeError(`decodeJpeg: ${key} must be a finite number ≥ 1, got ${value}`);
    }
  }
}
