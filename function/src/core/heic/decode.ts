/**
 * HEIC decoding with libheif and libde265 compiled to WebAssembly (libheif-js, LGPL-3.0), at
 * full size, 8 bits a channel. libheif stitches grid tiles and applies `clap`, `irot` and
 * `imir` itself (heic/header.ts computes the size it returns). Its glue is not bundled but
 * require()d from the file shipped beside the bundle (wasmFiles.ts: LIBHEIF_GLUE).
 */
import { assertPixelLimit } from "../imageHeader";
import { EmscriptenCodec, type EmscriptenFactory } from "../emscriptenCodec";
import { LIBHEIF_GLUE, runtimeFilePath, WASM_FILES } from "../wasmFiles";
import type { Bitmap } from "../orientation";
import { readHeicHeader, type HeicHeader } from "./header";

type Handle = object;
type Failure = { code?: unknown; message?: string };

interface HeifModule {
  heif_context_alloc(): Handle;
  heif_context_free(context: Handle): void;
  heif_context_read_from_memory(context: Handle, bytes: Uint8Array): Failure;
  heif_js_context_get_primary_image_handle(context: Handle): Handle & Failure;
  heif_image_handle_release(handle: Handle): void;
  heif_js_decode_image2(
    handle: Handle,
    colorspace: unknown,
    chroma: unknown,
  ):
    (Failure & { image: Handle; channels: Array<{ id: unknown; width: number; height: number; stride: number; data: Uint8Array }> }) | null;
  heif_image_release(image: Handle): void;
  heif_error_code: { heif_error_Ok: unknown };
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGBA: unknown };
  heif_channel: { heif_channel_interleaved: unknown };
}

const libheif = new EmscriptenCodec<HeifModule>(
  "libheif",
  WASM_FILES.heic,
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, and from the shipped file: evaluated only when a HEIC arrives (cold start, LGPL)
  () => require(runtimeFilePath(LIBHEIF_GLUE)) as EmscriptenFactory,
  (module) => typeof module.heif_js_decode_image2 === "function",
);

function decodeWith(m: HeifModule, bytes: Uint8Array): Bitmap {
  const context = m.heif_context_alloc();
  try {
    const read = m.heif_context_read_from_memory(context, bytes);
    if (read.code !== m.heif_error_code.heif_error_Ok) throw new Error(`libheif could not read the file: ${read.message}`);
    const handle = m.heif_js_context_get_primary_image_handle(context);
    if (!handle || handle.code !== undefined) throw new Error(`libheif found no primary image: ${handle?.message}`);
    try {
      const image = m.heif_js_decode_image2(handle, m.heif_colorspace.heif_colorspace_RGB, m.heif_chroma.heif_chroma_interleaved_RGBA);
      if (!image || image.code !== undefined) throw new Error(`libheif could not decode the image: ${image?.message ?? "no image"}`);
      try {
        const plane = image.channels.find((c) => c.id === m.heif_channel.heif_channel_interleaved);
        if (!plane) throw new Error("libheif returned no interleaved RGBA plane");
        // Copied out row by row: the plane is a view of the WASM heap, rows may be padded.
        const data = Buffer.allocUnsafe(plane.width * plane.height * 4);
        for (let y = 0; y < plane.height; y++)
          data.set(plane.data.subarray(y * plane.stride, y * plane.stride + plane.width * 4), y * plane.width * 4);
        return { width: plane.width, height: plane.height, data };
      } finally {
        m.heif_image_release(image.image);
      }
    } finally {
      m.heif_image_handle_release(handle);
    }
  } finally {
    m.heif_context_free(context);
  }
}

export function decodeHeic(bytes: Uint8Array, maxPixels: number, header: HeicHeader = readHeicHeader(bytes)): Bitmap {
  // What is decoded before libheif crops (clap), and alpha, thumbnails and sequence frames.
  for (const { width, height } of [header.stored, ...header.primary.otherSizes]) {
    assertPixelLimit({ format: "heic", width, height, orientation: 1 }, maxPixels);
  }
  const bitmap = libheif.use((m) => decodeWith(m, bytes));
  if (bitmap.width !== header.width || bitmap.height !== header.height) {
    throw new Error(`libheif decoded ${bitmap.width}×${bitmap.height}, not the ${header.width}×${header.height} the header declares`);
  }
  return bitmap;
}
