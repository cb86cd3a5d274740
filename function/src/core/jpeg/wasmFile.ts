/**
 * Where the libjpeg-turbo WebAssembly module lives. It ships as a file next to the bundle
 * (function/build.ts copies it) rather than inlined, so it costs the bundle no bytes and the
 * cold start no parse time: it is read and compiled on the first JPEG only.
 */
import * as fs from "fs";
import * as path from "path";

/** File name of the module beside dist/function/index.js. */
export const JPEG_WASM_FILE_NAME = "jpeg-turbo.wasm";

/** The module as installed from npm (@cwasm/jpeg-turbo: libjpeg-turbo's TurboJPEG API). */
export function installedJpegWasmPath(): string {
  return require.resolve("@cwasm/jpeg-turbo/jpeg-turbo.wasm");
}

/** Files the function bundle must carry beside index.js: [source path, file name]. */
export function jpegWasmAssets(): Array<{ source: string; fileName: string }> {
  return [{ source: installedJpegWasmPath(), fileName: JPEG_WASM_FILE_NAME }];
}

/** The module's bytes: beside the bundle when bundled, else from node_modules (tests, bench). */
export function readJpegWasm(): Buffer {
  const beside = path.join(__dirname, JPEG_WASM_FILE_NAME);
  if (fs.existsSync(beside)) return fs.readFileSync(beside);
  return fs.readFileSync(installedJpegWasmPath());
}
