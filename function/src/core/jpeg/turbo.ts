/**
 * libjpeg-turbo (TurboJPEG API, compiled to WebAssembly) decoding at a DCT scale of 1/1, 1/2,
 * 1/4 or 1/8. Scaling happens inside the inverse DCT, so a 1/8 decode never materialises the
 * full-size bitmap: that is where the time and the memory go in a full decode.
 *
 * The module has no setjmp: a libjpeg error surfaces as a JS exception thrown out of the WASM
 * stack, which leaves the module's own stack pointer and heap in an unknown state. So after any
 * failure the instance is dropped and the next call builds a fresh one from the compiled module.
 */
import { scaledDimension } from "./scale";
import { readWasm, WASM_FILES } from "../wasmFiles";
import { AllocationError } from "../errors";
import { wasmApi } from "../wasmApi";

/** TurboJPEG's colour space of the JPEG data (TJCS_*). */
export const JpegColorSpace = { Rgb: 0, YCbCr: 1, Gray: 2, Cmyk: 3, Ycck: 4 } as const;
export type JpegColorSpace = (typeof JpegColorSpace)[keyof typeof JpegColorSpace];

/** TurboJPEG pixel formats used here (TJPF_*). */
const TJPF_RGBA = 7;
const TJPF_CMYK = 11;

/** Above this the linear memory (which never shrinks) is dropped after the call, so one large
 * progressive photo does not pin its coefficient buffers for the container's lifetime. */
const KEEP_MEMORY_BYTES = 64 * 1024 * 1024;

interface TurboExports {
  memory: { readonly buffer: ArrayBuffer };
  malloc(size: number): number;
  free(pointer: number): void;
  tjInitDecompress(): number;
  tjDestroy(handle: number): number;
  tjDecompressHeader3(handle: number, src: number, size: number, w: number, h: number, subsamp: number, cs: number): number;
  tjDecompress2(
    handle: number,
    src: number,
    size: number,
    dst: number,
    width: number,
    pitch: number,
    height: number,
    pixelFormat: number,
    flags: number,
  ): number;
}

/** A libjpeg error (fatal: the data cannot be decoded by this decoder). */
export class TurboJpegError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TurboJpegError";
  }
}

export interface JpegHeader {
  width: number;
  height: number;
  colorSpace: JpegColorSpace;
}

export interface TurboDecoded {
  width: number;
  height: number;
  /** RGBA or CMYK (4 bytes per pixel, as asked), row-major. */
  data: Buffer;
  /** libjpeg emitted a warning (e.g. truncated or corrupt data it papered over with grey). */
  warned: boolean;
}

let compiled: object | undefined;
let instance: TurboExports | undefined;

function exportsOf(): TurboExports {
  if (instance) return instance;
  compiled ??= new wasmApi.Module(readWasm(WASM_FILES.jpeg));
  const fail = (what: string) => () => {
    throw new TurboJpegError(`libjpeg-turbo called ${what}, which the WASM build does not provide`);
  };
  const imports = {
    env: {
      // setjmp "returns" 0 once; libjpeg's error exit longjmps, which we turn into an exception.
      setjmp: () => 0,
      longjmp: () => {
        throw new TurboJpegError("libjpeg-turbo reported a fatal error in the JPEG data");
      },
    },
    wasi_snapshot_preview1: {
      environ_sizes_get: () => 0,
      environ_get: fail("environ_get"),
      proc_exit: fail("proc_exit"),
      fd_close: fail("fd_close"),
      fd_seek: fail("fd_seek"),
      fd_write: fail("fd_write"),
    },
  };
  instance = new wasmApi.Instance(compiled, imports).exports as unknown as TurboExports;
  return instance;
}

/**
 * Compiles and instantiates the module ahead of the first JPEG (≈ 15 ms of compiling here).
 * A failure is left for that JPEG to meet, where it is reported the ordinary way.
 */
export function prepareJpegModule(): void {
  try {
    exportsOf();
  } catch {
    instance = undefined;
  }
}

/** Runs fn against the module; drops the instance if fn throws or memory grew too large. */
function withModule<T>(fn: (wasm: TurboExports) => T): T {
  const wasm = exportsOf();
  try {
    return fn(wasm);
  } catch (error) {
    instance = undefined;
    throw error;
  } finally {
    if (instance && wasm.memory.buffer.byteLength > KEEP_MEMORY_BYTES) instance = undefined;
  }
}

/** Copies bytes into the module's heap; the caller frees. */
function copyIn(wasm: TurboExports, bytes: Uint8Array): number {
  const pointer = wasm.malloc(bytes.byteLength);
  if (pointer === 0) throw new AllocationError(`libjpeg-turbo could not allocate ${bytes.byteLength} bytes in its WASM heap`);
  new Uint8Array(wasm.memory.buffer, pointer, bytes.byteLength).set(bytes);
  return pointer;
}

function readHeader(wasm: TurboExports, handle: number, src: number, size: number): JpegHeader {
  const out = wasm.malloc(16);
  if (wasm.tjDecompressHeader3(handle, src, size, out, out + 4, out + 8, out + 12) !== 0) {
    throw new TurboJpegError("libjpeg-turbo could not read the JPEG header");
  }
  const fields = new Int32Array(wasm.memory.buffer, out, 4);
  const header = { width: fields[0], height: fields[1], colorSpace: fields[3] as JpegColorSpace };
  wasm.free(out);
  return header;
}

/**
 * Decodes at 1/denominator scale (1, 2, 4 or 8). `check` sees the header before any pixel
 * memory is allocated and may throw (the decompression-bomb guard).
 */
export function decodeScaled(
  bytes: Uint8Array,
  denominator: (header: JpegHeader) => number,
  check: (header: JpegHeader) => void,
): TurboDecoded & { header: JpegHeader; denominator: number } {
  return withModule((wasm) => {
    const handle = wasm.tjInitDecompress();
    if (handle === 0) throw new TurboJpegError("libjpeg-turbo could not allocate a decompressor");
    const src = copyIn(wasm, bytes);
    let dst = 0;
    let done = false;
    try {
      const header = readHeader(wasm, handle, src, bytes.byteLength);
      check(header);
      const scale = denominator(header);
      const width = scaledDimension(header.width, scale);
      const height = scaledDimension(header.height, scale);
      const cmyk = header.colorSpace === JpegColorSpace.Cmyk || header.colorSpace === JpegColorSpace.Ycck;
      const pitch = width * 4;
      dst = wasm.malloc(pitch * height);
      if (dst === 0) throw new AllocationError(`libjpeg-turbo could not allocate a ${width}×${height} bitmap in its WASM heap`);
      // Asking for width × height makes TurboJPEG pick the largest scaling factor that fits,
      // which for these sizes is exactly 1/denominator.
      const status = wasm.tjDecompress2(handle, src, bytes.byteLength, dst, width, pitch, height, cmyk ? TJPF_CMYK : TJPF_RGBA, 0);
      const data = Buffer.allocUnsafe(pitch * height);
      data.set(new Uint8Array(wasm.memory.buffer, dst, pitch * height));
      done = true;
      return { header, denominator: scale, width, height, data, warned: status !== 0 };
    } finally {
      // After a failure the instance is discarded whole (see withModule); calling into it
      // again to free could only fail differently and hide the first error.
      if (done) {
        wasm.free(dst);
        wasm.free(src);
        wasm.tjDestroy(handle);
      }
    }
  });
}
