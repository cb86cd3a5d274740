/**
 * A codec built with Emscripten (jSquash's builds of libwebp and libavif), used from this
 * CommonJS code. Their packages are ESM and, left alone, would fetch their .wasm by URL; here the
 * glue is require()d only when the first image of its format arrives, the module is compiled
 * once from the file shipped beside the bundle (wasmFiles.ts) and instantiated synchronously, so
 * the decoder is an ordinary synchronous call like the others.
 *
 * As with libjpeg-turbo (jpeg/turbo.ts), an instance that threw (an Emscripten abort leaves its
 * heap in an unknown state) or whose memory grew past KEEP_MEMORY_BYTES is dropped, and the next
 * image gets a fresh one: WASM memory never shrinks, so one large photo must not pin it.
 */
import { readWasm, type WasmFile } from "./wasmFiles";
import { wasmApi } from "./wasmApi";

const KEEP_MEMORY_BYTES = 64 * 1024 * 1024;

/** What every Emscripten module object has once its runtime is up. */
export interface EmscriptenModule {
  HEAPU8: Uint8Array;
}

/** An Emscripten MODULARIZE factory: decorates the object it is given and returns a ready promise. */
export type EmscriptenFactory = (module: object) => Promise<unknown>;

export class EmscriptenCodec<M extends EmscriptenModule> {
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

  /** Runs fn against a live instance; drops the instance if fn throws or memory grew too large. */
  use<T>(fn: (module: M) => T): T {
    const module = this.live();
    try {
      return fn(module);
    } catch (error) {
      this.instance = undefined;
      throw error;
    } finally {
      if (this.instance && module.HEAPU8.buffer.byteLength > KEEP_MEMORY_BYTES) this.instance = undefined;
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
    started.catch((error: unknown) => (failure = error));
    if (!this.ready(module)) {
      throw new Error(`the ${this.name} WASM module did not start${failure ? `: ${String(failure)}` : ""}`);
    }
    this.instance = module as M;
    return this.instance;
  }
}
