/**
 * AVIF decoding with libavif 1.0.1 and libaom compiled to WebAssembly (@jsquash/avif, Squoosh's
 * build), at full size and 8 bits a channel (10- and 12-bit sources are converted by libavif).
 * The header (primary item, grid, transformations) has been read and its size checked against
 * the pixel limit before this runs (imageHeader.ts); libavif does not apply `irot`/`imir`, which
 * the core applies to the thumbnail as an orientation (heif/orientation.ts). An image sequence
 * gives its first frame.
 */
import { assertPixelLimit } from "../imageHeader";
import { EmscriptenCodec, type EmscriptenFactory } from "../emscriptenCodec";
import { WASM_FILES } from "../wasmFiles";
import type { Bitmap } from "../orientation";
import { readAvifHeader, type AvifHeader } from "./header";

interface AvifModule {
  /** RGBA at 8 bits (bitDepth 8), copied out of the WASM heap; null when libavif refuses the file. */
  decode(data: Uint8Array, bitDepth: number): { data: Uint8ClampedArray; width: number; height: number } | null;
}

const libavif = new EmscriptenCodec<AvifModule>(
  "libavif",
  WASM_FILES.avif,
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: evaluated only when an AVIF arrives (cold start)
  () => (require("@jsquash/avif/codec/dec/avif_dec.js") as { default: EmscriptenFactory }).default,
  (module) => typeof module.decode === "function",
);

export function decodeAvif(bytes: Uint8Array, maxPixels: number, header: AvifHeader = readAvifHeader(bytes)): Bitmap {
  // Alpha and sequence frames are decoded too: their declared sizes are held to the same limit.
  for (const { width, height } of header.primary.otherSizes) {
    assertPixelLimit({ format: "avif", width, height, orientation: 1, decodeBytesPerPixel: header.decodeBytesPerPixel }, maxPixels);
  }
  const decoded = libavif.use((module) => module.decode(bytes, 8));
  if (!decoded) throw new Error("libavif refused the file (corrupt or truncated data, or sizes that disagree with the AV1 data)");
  if (decoded.width !== header.width || decoded.height !== header.height) {
    throw new Error(`libavif decoded ${decoded.width}×${decoded.height}, not the ${header.width}×${header.height} the header declares`);
  }
  const rgba = decoded.data;
  return { width: decoded.width, height: decoded.height, data: Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength) };
}
