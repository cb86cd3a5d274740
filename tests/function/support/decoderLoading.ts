/**
 * Run as its own process (a fresh module cache): makes thumbnails of each file named on the
 * command line in turn and prints, after each, one JSON line with the modules loaded so far and
 * the byte lengths of the WebAssembly modules compiled so far. Specs use it to prove which
 * decoders a container of one format loads.
 */
import * as fs from "fs";

const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;
const compiledBytes: number[] = [];
const Original = wasm.Module;
wasm.Module = new Proxy(Original, {
  construct(target, args: [Uint8Array]) {
    compiledBytes.push(args[0].byteLength);
    return new target(...args);
  },
});

async function main(): Promise<void> {
  // Loaded after the spy is in place, as the worker loads the core.
  const { makeThumbnails } = await import("../../../function/src/core/thumbnailer");
  for (const file of process.argv.slice(2)) {
    // LOADING_RENDITIONS (JSON) stands in for a renditions configuration; unset, one 64 px size.
    const renditions = process.env.LOADING_RENDITIONS ? JSON.parse(process.env.LOADING_RENDITIONS) : undefined;
    await makeThumbnails(fs.readFileSync(file), { sizes: [64], renditions, jpegQuality: 80, maxPixels: 50_000_000 });
    console.log(JSON.stringify({ modules: Object.keys(require.cache), compiledBytes }));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
