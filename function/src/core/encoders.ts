/** Thumbnail encoders: JPEG for opaque images, PNG where transparency must survive, WebP when a rendition asks for it. */
import { encodeJpeg } from "./jpeg/encoder";
import { encodeWebp } from "./webp/encode";
import type * as Pngjs from "pngjs";
import type { Bitmap } from "./orientation";
import type { ThumbnailFormat } from "../../../contract/formats";

const PNG_COLOR_RGBA = 6;

export function encodeThumbnail(bitmap: Bitmap, format: ThumbnailFormat, quality: { jpeg: number; webp: number }): Buffer {
  if (format === "webp") {
    // libwebp's glue and module load on this first call only (webp/encode.ts).
    return encodeWebp(bitmap, quality.webp);
  }
  if (format === "jpeg") {
    // Not jpeg-js's encoder: it rebuilds its tables on every call (~50 ms of GC per thumbnail).
    return encodeJpeg(bitmap, { quality: quality.jpeg });
  }
  // Loaded on first use, like the decoders: most thumbnails are JPEG, and cold starts parse less.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, see above
  const { PNG } = require("pngjs") as typeof Pngjs;
  const png = new PNG({ width: bitmap.width, height: bitmap.height });
  png.data = bitmap.data;
  return PNG.sync.write(png, { colorType: PNG_COLOR_RGBA, inputHasAlpha: true, deflateLevel: 9 });
}

/** True when any pixel is not fully opaque. */
export function hasTransparency(bitmap: Bitmap): boolean {
  const data = bitmap.data;
  const end = bitmap.width * bitmap.height * 4;
  for (let i = 3; i < end; i += 4) {
    if (data[i] !== 0xff) return true;
  }
  return false;
}
