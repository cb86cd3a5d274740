/**
 * JPEG decoding for the thumbnail core. The core asks for a bitmap no smaller than the
 * thumbnail needs; a decoder may return one scaled down (1/2, 1/4, 1/8 in the DCT domain)
 * as long as it still covers minWidth × minHeight. The core resizes, orients and encodes.
 *
 * This first version decodes at full size with jpeg-js (what jimp uses); the performance
 * work replaces it behind the same signature.
 */
import * as jpeg from "jpeg-js";

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

export function decodeJpeg(bytes: Uint8Array, request: JpegDecodeRequest): DecodedBitmap {
  const maxResolutionInMP = Math.max(1, Math.ceil(request.maxPixels / 1_000_000));
  const decoded = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    maxResolutionInMP,
    // RGBA at maxPixels plus jpeg-js's component buffers.
    maxMemoryUsageInMB: Math.ceil((request.maxPixels * 8) / (1024 * 1024)) + 64,
  });
  return { width: decoded.width, height: decoded.height, data: Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength) };
}
