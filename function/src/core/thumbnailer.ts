/**
 * The thumbnail core: image bytes in, thumbnails and facts out. No AWS here, so the handler,
 * the tests and the benchmark all run exactly this.
 *
 * Pipeline: magic bytes → header (format, stored size, EXIF orientation) → pixel limit →
 * decode (JPEG possibly DCT-downscaled, a non-interlaced PNG shrunk while it is inflated; never
 * below what the largest thumbnail needs) → per rendition: jimp box resize → EXIF orientation (on the
 * small bitmap) → centre crop (cover) → encode in each of its formats.
 */
import { FailureReason } from "../../../contract/failureReasons";
import { PermanentError } from "./errors";
import { CONTENT_TYPES, THUMBNAIL_CONTENT_TYPES, type SourceFormat, type ThumbnailFormat } from "../../../contract/formats";
import { assertPixelLimit, readHeader } from "./imageHeader";
import { decodeForThumbnail } from "./decoders";
import { encodeThumbnail, hasTransparency } from "./encoders";
import { applyOrientation, swapsAxes, type Bitmap } from "./orientation";
import { Jimp } from "./jimp";
import { fitInside, placementOf, type CropWindow, type Placement } from "./fit";
import { renditionsFromSizes, type Fit, type Rendition } from "../../../contract/renditions";

export interface ThumbnailOptions {
  /** Bounding-box sizes in pixels: each thumbnail fits within size × size (renditions named by the size). */
  sizes: readonly number[];
  /** When set, these are made instead of sizes. */
  renditions?: readonly Rendition[];
  /** JPEG quality 1–100 for opaque thumbnails. */
  jpegQuality: number;
  /** WebP quality 1–100 (default 80). */
  webpQuality?: number;
  /** Largest width × height (from the header) the core will decode. */
  maxPixels: number;
}

export const DEFAULT_WEBP_QUALITY = 80;

export const DEFAULT_THUMBNAIL_OPTIONS: ThumbnailOptions = {
  sizes: [256],
  jpegQuality: 80,
  maxPixels: 50_000_000,
};

export interface Thumbnail {
  /** The rendition it was made for, its box width and its fit. */
  rendition: string;
  size: number;
  fit: Fit;
  /** Cover: the part of the source shown, in upright source pixels. */
  crop?: CropWindow;
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
  /** One per rendition and format: renditions largest first, formats in their configured order. */
  thumbnails: Thumbnail[];
  facts: ImageFacts;
}

/** Dimensions that fit within size × size, keep the aspect ratio, never upscale, never reach 0. */
export function fitWithin(width: number, height: number, size: number): { width: number; height: number } {
  return fitInside(width, height, size, size);
}

function validateOptions(options: ThumbnailOptions): void {
  if (options.renditions) {
    if (options.renditions.length === 0) throw new RangeError("at least one rendition is needed");
  } else if (options.sizes.length === 0 || !options.sizes.every((s) => Number.isInteger(s) && s > 0)) {
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

/** The part of an upright bitmap a cover thumbnail shows. */
function cropped(source: Bitmap, x: number, y: number, width: number, height: number): Bitmap {
  if (x === 0 && y === 0 && width === source.width && height === source.height) return source;
  const data = Buffer.alloc(width * height * 4);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * source.width + x) * 4;
    source.data.copy(data, row * width * 4, from, from + width * 4);
  }
  return { width, height, data };
}

/** JPEG has no alpha: transparent pixels are laid over white rather than shown as whatever colour they hide. */
function overWhite(source: Bitmap): Bitmap {
  const data = Buffer.from(source.data);
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3];
    if (a === 0xff) continue;
    for (let c = 0; c < 3; c++) data[i + c] = Math.round((data[i + c] * a + 0xff * (0xff - a)) / 0xff);
    data[i + 3] = 0xff;
  }
  return { width: source.width, height: source.height, data };
}

interface Plan {
  rendition: Rendition;
  placement: Placement;
  /** The whole source scaled as this rendition needs it, in stored orientation (the crop comes after). */
  storedWidth: number;
  storedHeight: number;
  /** Cover: the scale from upright source pixels to the scaled bitmap. */
  scale: number;
}

function planOf(rendition: Rendition, header: { width: number; height: number; orientation: number }): Plan {
  const swap = swapsAxes(header.orientation);
  const uprightWidth = swap ? header.height : header.width;
  const uprightHeight = swap ? header.width : header.height;
  const placement = placementOf(rendition, uprightWidth, uprightHeight);
  if (!placement.crop) {
    const w = swap ? placement.height : placement.width;
    const h = swap ? placement.width : placement.height;
    return { rendition, placement, storedWidth: w, storedHeight: h, scale: w / header.width };
  }
  const scale = placement.width / placement.crop.width;
  const w = Math.max(1, Math.round(uprightWidth * scale));
  const h = Math.max(1, Math.round(uprightHeight * scale));
  return { rendition, placement, storedWidth: swap ? h : w, storedHeight: swap ? w : h, scale };
}

export async function makeThumbnails(bytes: Uint8Array, options: ThumbnailOptions = DEFAULT_THUMBNAIL_OPTIONS): Promise<ThumbnailResult> {
  validateOptions(options);
  if (bytes.length === 0) throw new PermanentError(FailureReason.EmptyObject, "object is empty (0 bytes)");
  const header = readHeader(bytes);
  assertPixelLimit(header, options.maxPixels);

  const renditions = options.renditions ?? renditionsFromSizes(options.sizes);
  // Largest first, so that smaller ones may start from a larger one's bitmap (below).
  const plans = renditions.map((r) => planOf(r, header)).sort((a, b) => b.storedWidth * b.storedHeight - a.storedWidth * a.storedHeight);
  // Never below what the largest rendition needs of the whole (stored) image.
  const bitmap = await decodeForThumbnail(bytes, header, {
    minWidth: Math.max(...plans.map((p) => p.storedWidth)),
    minHeight: Math.max(...plans.map((p) => p.storedHeight)),
    maxPixels: options.maxPixels,
  });

  const hasAlpha = header.format !== "jpeg" && header.format !== "bmp" && (bitmap.transparent ?? hasTransparency(bitmap));

  // Smaller renditions start from the previous (larger) bitmap when it still has at least twice
  // their pixels per side: the box filter then averages whole 2×2+ blocks, and a 12 MP PNG is
  // resized once instead of once per rendition.
  let previous: Bitmap | undefined;
  const thumbnails: Thumbnail[] = plans.flatMap((plan) => {
    const { rendition, placement } = plan;
    const from = previous && previous.width >= 2 * plan.storedWidth && previous.height >= 2 * plan.storedHeight ? previous : bitmap;
    const stored = resized(from, plan.storedWidth, plan.storedHeight);
    previous = stored;
    let upright = applyOrientation(stored, header.orientation);
    if (placement.crop) {
      const x = Math.min(Math.round(placement.crop.x * plan.scale), upright.width - placement.width);
      const y = Math.min(Math.round(placement.crop.y * plan.scale), upright.height - placement.height);
      upright = cropped(upright, Math.max(0, x), Math.max(0, y), placement.width, placement.height);
    }
    return rendition.formats.map((wanted) => {
      const format: ThumbnailFormat = wanted === "auto" ? (hasAlpha ? "png" : "jpeg") : wanted;
      const pixels = format === "jpeg" && hasAlpha ? overWhite(upright) : upright;
      return {
        rendition: rendition.name,
        size: rendition.width,
        fit: rendition.fit,
        ...(placement.crop ? { crop: placement.crop } : {}),
        width: upright.width,
        height: upright.height,
        format,
        contentType: THUMBNAIL_CONTENT_TYPES[format],
        bytes: encodeThumbnail(pixels, format, { jpeg: options.jpegQuality, webp: options.webpQuality ?? DEFAULT_WEBP_QUALITY }),
      };
    });
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
