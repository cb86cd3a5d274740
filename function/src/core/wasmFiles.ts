/**
 * The WebAssembly modules the decoders use. Each ships as a file next to the bundle
 * (function/build.ts copies them) rather than inlined, so it costs the bundle no bytes and the
 * cold start no parse time: it is read and compiled on the first image of its format only.
 */
import * as fs from "fs";
import * as path from "path";

export interface WasmFile {
  /** File name beside dist/function/index.js. */
  fileName: string;
  /** The module as installed from npm. */
  npmPath: string;
}

export const WASM_FILES = {
  /** @cwasm/jpeg-turbo: libjpeg-turbo's TurboJPEG API. */
  jpeg: { fileName: "jpeg-turbo.wasm", npmPath: "@cwasm/jpeg-turbo/jpeg-turbo.wasm" },
  /** @jsquash/webp: libwebp's decoder (Squoosh's build). */
  webp: { fileName: "webp_dec.wasm", npmPath: "@jsquash/webp/codec/dec/webp_dec.wasm" },
  /** @jsquash/webp: libwebp's encoder (Squoosh's SIMD build), for WebP thumbnails. */
  webpEncoder: { fileName: "webp_enc_simd.wasm", npmPath: "@jsquash/webp/codec/enc/webp_enc_simd.wasm" },
  /** @jsquash/avif: libavif 1.0.1 with libaom (Squoosh's build). */
  avif: { fileName: "avif_dec.wasm", npmPath: "@jsquash/avif/codec/dec/avif_dec.wasm" },
  /** libheif-js: libheif with libde265 (HEVC). LGPL-3.0. */
  heic: { fileName: "libheif.wasm", npmPath: "libheif-js/libheif-wasm/libheif.wasm" },
} as const satisfies Record<string, WasmFile>;

/**
 * libheif's JavaScript glue, shipped beside the bundle as its own file rather than bundled: it is
 * LGPL-3.0, and kept apart (as the WASM is) a user can replace libheif without rebuilding the
 * function. It is require()d from there on the first HEIC.
 */
export const LIBHEIF_GLUE: WasmFile = { fileName: "libheif.js", npmPath: "libheif-js/libheif-wasm/libheif.js" };

/** Files the function bundle must carry beside index.js: [source path, file name]. */
export function wasmAssets(): Array<{ source: string; fileName: string }> {
  return [...Object.values(WASM_FILES), LIBHEIF_GLUE].map((file) => ({ source: require.resolve(file.npmPath), fileName: file.fileName }));
}

/** Where a shipped file is: beside the bundle when bundled, else in node_modules (tests, bench). */
export function runtimeFilePath(file: WasmFile): string {
  const beside = path.join(__dirname, file.fileName);
  return fs.existsSync(beside) ? beside : require.resolve(file.npmPath);
}

/** The module's bytes: beside the bundle when bundled, else from node_modules (tests, bench). */
export function readWasm(file: WasmFile): Buffer {
  return fs.readFileSync(runtimeFilePath(file));
}
