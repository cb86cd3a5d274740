/**
 * A codec built with Emscripten (jSquash's builds of libwebp and libavif), used from this
 * CommonJS code. Their packages are ESM and, left alone, would fetch their .wasm by URL; here the
 * glue is require()d only when the first image of its format arrives, the module is compiled
 * once from the file shipped beside the bundle (wasmFiles.ts) and instantiated synchronously, so
 * the decoder is an ordinary synchronous call like the others.
 *
 * An instance that threw (an Emscripten abort leaves its heap in an unknown state) is dropped
 * and the next image gets a fresh one. Unlike libjpeg-turbo's (jpeg/turbo.ts), a large instance
 * is kept: these decoders always work at full size, so every image of the format needs a large
 * heap, and a dropped WASM memory is freed only when V8 next collects it. Measured on a 12 MP
 * AVIF decoded 8 times in one process (2026-12-04): dropping each instance above 64 MB left up to
 * two heaps alive at once (peak RSS 915 MB, against 569 MB for one decode); reusing one kept the
 * peak at 594 MB. The cost is that the heap stays at the largest image of its format seen.
 */
import { readWasm, type WasmFile } from "./wasmFiles";
import { wasmApi } from "./wasmApi";

/** An Emscripten MODULARIZE factory: decorates the object it is given and returns a ready promise (or, in some builds, the module itself). */
export type EmscriptenFactory = (module: object) => unknown;

export class EmscriptenCodec<M extends object> {
  private compiled: object | undefined;
  private instance: M | undefined;

  /**
   * @param loadFactory require()s the glue (called on first use only, so a container that never
   *   sees this format never evaluates it)
   * @param ready tells whether the module object has its bindings (the runtime started)
   */
  constructor(
    private readonly name: string,
    private readonly wasm: WasmFile,
    private readonly loadFactory: () => EmscriptenFactory,
    private readonly ready: (module: Partial<M>) => boolean,
  ) {}

  /** Runs fn against a live instance; drops the instance if fn throws. */
  use<T>(fn: (module: M) => T): T {
    const module = this.live();
    try {
      return fn(module);
    } catch (error) {
      this.instance = undefined;
      throw error;
    }
  }

  private live(): M {
    if (this.instance) return this.instance;
    const factory = this.loadFactory();
    this.compiled ??= new wasmApi.Module(readWasm(this.wasm));
    const compiled = this.compiled;
    const module: Partial<M> & object = {};
    let failure: unknown;
    const options = {
      noInitialRun: true,
      // Synchronous: the glue's run() then completes inside the factory call.
      instantiateWasm: (imports: object, receive: (instance: object) => void) => {
        const instance = new wasmApi.Instance(compiled, imports);
        receive(instance);
        return instance.exports;
      },
      // The glue's own logging (abort reasons also reach the thrown error).
      print: () => undefined,
      printErr: () => undefined,
    };
    // The factory fills in the object it is given; its promise is only for asynchronous loading.
    const started = factory(Object.assign(module, options));
    Promise.resolve(started).catch((error: unknown) => (failure = error));
    if (!this.ready(module)) {
      throw new Error(`the ${this.name} WASM module did not start${failure ? `: ${String(failure)}` : ""}`);
    }
    this.instance = module as M;
    return this.instance;
  }
}
