/**
 * WebP encoding (lossy, alpha kept) with libwebp compiled to WebAssembly (@jsquash/webp,
 * Squoosh's SIMD build). Loaded like the decoders (emscriptenCodec.ts): the glue and its module
 * only when the first WebP thumbnail is asked for, so a JPEG-only configuration never pays for it.
 */
import { EmscriptenCodec, type EmscriptenFactory } from "../emscriptenCodec";
import { WASM_FILES } from "../wasmFiles";
import type { Bitmap } from "../orientation";

/** libwebp's WebPConfig, as the build takes it (its meta.js holds the defaults). */
type EncodeOptions = Record<string, number>;

interface WebpEncoderModule {
  /** The encoded file, or null when libwebp refuses the input. */
  encode(data: Uint8Array, width: number, height: number, options: EncodeOptions): Uint8Array | null;
}

const encoder = new EmscriptenCodec<WebpEncoderModule>(
  "libwebp encoder",
  WASM_FILES.webpEncoder,
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: evaluated only when a rendition asks for WebP
  () => (require("@jsquash/webp/codec/enc/webp_enc_simd.js") as { default: EmscriptenFactory }).default,
  (module) => typeof module.encode === "function",
);

let defaults: EncodeOptions | undefined;

export function encodeWebp(bitmap: Bitmap, quality: number): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, as above
  defaults ??= (require("@jsquash/webp/meta.js") as { defaultOptions: EncodeOptions }).defaultOptions;
  // Lossy colour; alpha compressed losslessly (alpha_quality 100), so transparent edges stay exact.
  const options = { ...defaults, quality, lossless: 0, alpha_quality: 100 };
  const pixels = new Uint8Array(bitmap.data.buffer, bitmap.data.byteOffset, bitmap.width * bitmap.height * 4);
  const encoded = encoder.use((module) => module.encode(pixels, bitmap.width, bitmap.height, options));
  if (!encoded) throw new Error(`libwebp refused to encode a ${bitmap.width}×${bitmap.height} bitmap`);
  return Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
