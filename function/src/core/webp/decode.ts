/**
 * WebP decoding with libwebp compiled to WebAssembly (@jsquash/webp, Squoosh's build), at full
 * size (the build exposes no scaled decode). The container has been read and the canvas checked
 * against the pixel limit before this runs (imageHeader.ts).
 *
 * An animation becomes its first frame, drawn on a transparent canvas, as the GIF path does:
 * libwebp's still-image API refuses animated files, so the frame's own chunks are rewrapped as
 * a still WebP and decoded alone. The ANIM background colour is ignored, as browsers do (the
 * container spec allows it).
 */
import { EmscriptenCodec, type EmscriptenFactory } from "../emscriptenCodec";
import { WASM_FILES } from "../wasmFiles";
import type { Bitmap } from "../orientation";
import { readWebpContainer, type ByteRange, type WebpBitstream, type WebpContainer } from "./container";

interface WebpModule {
  /** RGBA at the bitstream's size, copied out of the WASM heap; null when libwebp refuses the data. */
  decode(data: Uint8Array): { data: Uint8ClampedArray; width: number; height: number } | null;
}

const libwebp = new EmscriptenCodec<WebpModule>(
  "libwebp",
  WASM_FILES.webp,
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: evaluated only when a WebP arrives (cold start)
  () => (require("@jsquash/webp/codec/dec/webp_dec.js") as { default: EmscriptenFactory }).default,
  (module) => typeof module.decode === "function",
);

/** VP8X flag: the image has an alpha channel (container spec). */
const VP8X_ALPHA = 0x10;

function chunkWithPadding(bytes: Uint8Array, range: ByteRange): Uint8Array {
  const chunk = bytes.subarray(range.start, range.end);
  if (chunk.length % 2 === 0) return chunk;
  const padded = new Uint8Array(chunk.length + 1);
  padded.set(chunk);
  return padded;
}

function riff(chunks: Uint8Array[]): Uint8Array {
  const size = 4 + chunks.reduce((sum, c) => sum + c.length, 0);
  const out = new Uint8Array(8 + size);
  const view = new DataView(out.buffer);
  out.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  view.setUint32(4, size, true);
  out.set([0x57, 0x45, 0x42, 0x50], 8); // WEBP
  let at = 12;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** A still WebP holding just this bitstream (and its alpha), for libwebp's still-image API. */
function stillWebp(bytes: Uint8Array, image: WebpBitstream): Uint8Array {
  const main = chunkWithPadding(bytes, image.chunk);
  if (!image.alpha) return riff([main]);
  const vp8x = new Uint8Array(18);
  const view = new DataView(vp8x.buffer);
  vp8x.set([0x56, 0x50, 0x38, 0x58], 0); // VP8X
  view.setUint32(4, 10, true);
  vp8x[8] = VP8X_ALPHA;
  const w = image.width - 1;
  const h = image.height - 1;
  vp8x.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff], 12);
  return riff([vp8x, chunkWithPadding(bytes, image.alpha), main]);
}

function decodeBitstream(input: Uint8Array, expected: { width: number; height: number }): Bitmap {
  const decoded = libwebp.use((module) => module.decode(input));
  if (!decoded) throw new Error("libwebp refused the image data (corrupt or truncated bitstream)");
  if (decoded.width !== expected.width || decoded.height !== expected.height) {
    throw new Error(`libwebp decoded ${decoded.width}×${decoded.height}, not the ${expected.width}×${expected.height} the header declares`);
  }
  const rgba = decoded.data;
  return { width: decoded.width, height: decoded.height, data: Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength) };
}

/** Draws a frame at (x, y) on a transparent canvas. */
function onCanvas(frame: Bitmap, x: number, y: number, width: number, height: number): Bitmap {
  if (x === 0 && y === 0 && frame.width === width && frame.height === height) return frame;
  const data = Buffer.alloc(width * height * 4);
  for (let row = 0; row < frame.height; row++) {
    frame.data.copy(data, ((y + row) * width + x) * 4, row * frame.width * 4, (row + 1) * frame.width * 4);
  }
  return { width, height, data };
}

export function decodeWebp(bytes: Uint8Array, container: WebpContainer = readWebpContainer(bytes)): Bitmap {
  if (!container.animated) return decodeBitstream(bytes, container);
  const { first } = container;
  const frame = decodeBitstream(stillWebp(bytes, first), first);
  return onCanvas(frame, first.x, first.y, container.width, container.height);
}
