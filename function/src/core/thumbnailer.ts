/**
 * The thumbnail core: image bytes in, thumbnails and facts out. No AWS here, so the handler,
 * the tests and the benchmark all run exactly this.
 *
 * Pipeline: magic bytes → header (format, stored size, EXIF orientation) → pixel limit →
 * decode (JPEG possibly DCT-downscaled, a non-interlaced PNG shrunk while it is inflated; never
 * below what the largest thumbnail needs) → per size: jimp box resize → EXIF orientation (on the small bitmap) → encode.
 */
import { FailureReason } from "../../../contract/failureReasons";
import { PermanentError } from "./errors";
import { CONTENT_TYPES, THUMBNAIL_CONTENT_TYPES, type SourceFormat, type ThumbnailFormat } from "../../../contract/formats";
import { assertPixelLimit, readHeader } from "./imageHeader";
import { decodeForThumbnail } from "./decoders";
import { encodeThumbnail, hasTransparency } from "./encoders";
import { applyOrientation, swapsAxes, type Bitmap } from "./orientation";
import { Jimp } from "./jimp";

export interface ThumbnailOptions {
  /** Bounding-box sizes in pixels: each thumbnail fits within size × size. */
  sizes: readonly number[];
  /** JPEG quality 1–100 for opaque thumbnails. */
  jpegQuality: number;
  /** Largest width × height (from the header) the core will decode. */
  maxPixels: number;
}

export const DEFAULT_THUMBNAIL_OPTIONS: ThumbnailOptions = {
  sizes: [256],
  jpegQuality: 80,
  maxPixels: 50_000_000,
};

export interface Thumbnail {
  /** The bounding size this thumbnail was made for. */
  size: number;
  /** Dimensions as displayed (EXIF orientation applied). */
  width: number;
  height: number;
  format: ThumbnailFormat;
  contentType: string;
  bytes: Buffer;
}

export interface ImageFacts {
  format: SourceFormat;
  contentType: string;
  /** Dimensions as displayed (after EXIF orientation). */
  width: number;
  height: number;
  /** Dimensions as stored in the file. */
  storedWidth: number;
  storedHeight: number;
  /** EXIF orientation 1–8 (1 when absent). */
  orientation: number;
  /** True when the image has at least one pixel that is not fully opaque. */
  hasAlpha: boolean;
  /** Size of the bitmap the decoder produced (smaller than stored when JPEG was DCT-downscaled or a PNG shrunk while decoded). */
  decodedWidth: number;
  decodedHeight: number;
}

export interface ThumbnailResult {
  /** One per requested size, largest first. */
  thumbnails: Thumbnail[];
  facts: ImageFacts;
}

/** Dimensions that fit within size × size, keep the aspect ratio, never upscale, never reach 0. */
export function fitWithin(width: number, height: number, size: number): { width: number; height: number } {
  const scale = Math.min(1, size / width, size / height);
  return {
    width: Math.max(1, Math.min(size, Math.round(width * scale))),
    height: Math.max(1, Math.min(size, Math.round(height * scale))),
  };
}

function validateOptions(options: ThumbnailOptions): void {
  if (options.sizes.length === 0 || !options.sizes.every((s) => Number.isInteger(s) && s > 0)) {
    throw new RangeError(`thumbnail sizes must be positive integers, got [${options.sizes.join(", ")}]`);
  }
  if (!Number.isInteger(options.jpegQuality) || options.jpegQuality < 1 || options.jpegQuality > 100) {
    throw new RangeError(`JPEG quality must be an integer 1–100, got ${options.jpegQuality}`);
  }
  if (!(options.maxPixels > 0)) throw new RangeError(`maxPixels must be positive, got ${options.maxPixels}`);
}

/** Jimp reuses the buffer it is given; it must start at offset 0 of its own ArrayBuffer. */
function ownBuffer(data: Buffer): Buffer {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) return data;
  return Buffer.from(data);
}

function resized(source: Bitmap, width: number, height: number): Bitmap {
  if (source.width === width && source.height === height) return source;
  const image = new Jimp({ width: source.width, height: source.height, data: ownBuffer(source.data) });
  // Default mode: jimp's box/area-averaging path, which does not alias (see README).
  image.resize({ w: width, h: height });
  return { width: image.bitmap.width, height: image.bitmap.height, data: ownBuffer(image.bitmap.data) };
}

export async function makeThumbnails(bytes: Uint8Array, options: ThumbnailOptions = DEFAULT_THUMBNAIL_OPTIONS): Promise<ThumbnailResult> {
  validateOptions(options);
  if (bytes.length === 0) throw new PermanentError(FailureReason.EmptyObject, "object is empty (0 bytes)");
  const header = readHeader(bytes);
  assertPixelLimit(header, options.maxPixels);

  const sizes = [...new Set(options.sizes)].sort((a, b) => b - a);
  // The bounding box is square, so the stored-orientation target has the same scale as the displayed one.
  const largest = fitWithin(header.width, header.height, sizes[0]);
  const bitmap = await decodeForThumbnail(bytes, header, {
    minWidth: largest.width,
    minHeight: largest.height,
    maxPixels: options.maxPixels,
  });

  const hasAlpha = header.format !== "jpeg" && header.format !== "bmp" && (bitmap.transparent ?? hasTransparency(bitmap));
  const format: ThumbnailFormat = hasAlpha ? "png" : "jpeg";

  // Smaller sizes start from the previous (larger) thumbnail when it still has at least twice
  // their pixels per side: the box filter then averages whole 2×2+ blocks, and a 12 MP PNG is
  // resized once instead of once per size.
  let previous: Bitmap | undefined;
  const thumbnails: Thumbnail[] = sizes.map((size) => {
    const target = fitWithin(header.width, header.height, size);
    const from = previous && previous.width >= 2 * target.width && previous.height >= 2 * target.height ? previous : bitmap;
    const stored = resized(from, target.width, target.height);
    previous = stored;
    const upright = applyOrientation(stored, header.orientation);
    return {
      size,
      width: upright.width,
      height: upright.height,
      format,
      contentType: THUMBNAIL_CONTENT_TYPES[format],
      bytes: encodeThumbnail(upright, format, options.jpegQuality),
    };
  });

  const swap = swapsAxes(header.orientation);
  return {
    thumbnails,
    facts: {
      format: header.format,
      contentType: CONTENT_TYPES[header.format],
      width: swap ? header.height : header.width,
      height: swap ? header.width : header.height,
      storedWidth: header.width,
      storedHeight: header.height,
      orientation: header.orientation,
      hasAlpha,
      decodedWidth: bitmap.width,
      decodedHeight: bitmap.height,
    },
  };
}
