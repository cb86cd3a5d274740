/**
 * The rules that bound one image's decode, shared by the stack (which sizes the function and
 * sets the time budget) and the function (which enforces them, see worker/isolatedThumbnailer.ts).
 */

/**
 * Peak memory of a full-size decode per pixel, and of the runtime itself. Measured as the slope
 * of peak RSS between 12 and 48 MP (`bench/decodeMemory.ts`; 2026-12-04, shared 2-core VM): PNG
 * 14.2, WebP lossy 9.0, lossy with alpha 13.9, lossless 17.8 bytes a pixel (libwebp's ARGB
 * buffer, the RGBA it returns from its WASM heap and the copy out of it); HEIC (libheif) 12.0,
 * 10-bit with alpha 16.2 (from 12 to 24 MP); rounded up.
 */
export const DECODE_BYTES_PER_PIXEL = 20;
export const RUNTIME_BASE_BYTES = 128 * 2 ** 20;

/**
 * AVIF (libavif + libaom in WebAssembly) needs more than the rule: the YUV planes in libaom's
 * frame buffers, libavif's copy of them, RGBA in the WASM heap and the copy out of it. Measured
 * as above (2026-12-04): 8-bit 4:2:0 without alpha 21.9 bytes a pixel; 8-bit 4:4:4 with alpha
 * 35.1; 12-bit 4:4:4 with alpha 46.1 (from 12 to 24 MP). Rounded up, for the two classes the
 * function tells apart from the file's `av1C` box and its auxiliary items.
 */
export const AVIF_DECODE_BYTES_PER_PIXEL = { eightBit420Opaque: 24, other: 48 } as const;

/**
 * The most pixels an image may have whose full-size decode costs `bytesPerPixel`, so that it
 * needs no more memory than the rule allows an ordinary image at `maxPixels`: the stack checks
 * the rule for maxImagePixels only, so a costlier format's limit is scaled down by its cost.
 */
export function pixelLimitFor(bytesPerPixel: number, maxPixels: number): number {
  return Math.floor((maxPixels * DECODE_BYTES_PER_PIXEL) / Math.max(bytesPerPixel, DECODE_BYTES_PER_PIXEL));
}

/** Memory, in bytes, a full-size decode of an image of `pixels` pixels needs: the rule functionMemoryMb is checked against, and the fuzzer's memory rule. */
export function decodeMemoryBytes(pixels: number): number {
  return pixels * DECODE_BYTES_PER_PIXEL + RUNTIME_BASE_BYTES;
}

/**
 * Share of the Lambda timeout one image's decode may take. The rest is for reading the upload
 * before it and writing the FAILED record after a stopped decode (S3 and DynamoDB calls have
 * their own, shorter, client timeouts), so a runaway decoder ends as a record, not a timeout.
 */
export const DECODE_TIMEOUT_SHARE_OF_FUNCTION_TIMEOUT = 0.5;

/** The per-image decode budget, ms, for a function with this timeout. */
export function decodeTimeoutMs(functionTimeoutSeconds: number): number {
  return Math.floor(functionTimeoutSeconds * 1000 * DECODE_TIMEOUT_SHARE_OF_FUNCTION_TIMEOUT);
}

/**
 * Share of the function's memory the whole process (handler and decoder thread) may reach
 * before the decoder is stopped. Lambda kills the whole sandbox at its memory size, so the
 * bound sits below it: the headroom absorbs what is allocated between two checks of the
 * resident set and what the handler needs to write the FAILED record.
 */
export const PROCESS_MEMORY_SHARE_OF_FUNCTION_MEMORY = 0.9;

/** The resident-set bound, bytes, for a function with this much memory. */
export function processMemoryLimitBytes(functionMemoryMb: number): number {
  return Math.floor(functionMemoryMb * 2 ** 20 * PROCESS_MEMORY_SHARE_OF_FUNCTION_MEMORY);
}
