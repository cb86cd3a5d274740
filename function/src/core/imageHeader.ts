/**
 * Reads what the function needs to know about an image from its first bytes, before any
 * decoder runs: the format (from magic bytes, never the file name), the stored dimensions
 * (so a decompression bomb is refused in microseconds), and the EXIF orientation.
 */
import { FailureReason } from "../../../contract/failureReasons";
import { PermanentError } from "./errors";
import type { SourceFormat } from "../../../contract/formats";
import { DECODE_BYTES_PER_PIXEL, pixelLimitFor } from "../../../contract/decodeLimits";
import { readWebpContainer, WebpContainerError } from "./webp/container";
import { readAvifHeader } from "./avif/header";
import { readHeicHeader } from "./heic/header";
import { BoxError } from "./heif/boxes";

export interface ImageHeader {
  format: SourceFormat;
  /** Dimensions as stored, before EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation 1–8 (1 when absent or invalid). */
  orientation: number;
  /** Peak bytes a pixel of a full-size decode, when this image needs more than the memory rule's DECODE_BYTES_PER_PIXEL. */
  decodeBytesPerPixel?: number;
}

function startsWith(bytes: Uint8Array, signature: number[], at = 0): boolean {
  if (bytes.length < at + signature.length) return false;
  return signature.every((b, i) => bytes[at + i] === b);
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, Math.min(bytes.length, start + length)));
}

/** Formats recognised only to name them in the failure message. */
function describeUnsupported(bytes: Uint8Array): string {
  if (ascii(bytes, 4, 4) === "ftyp") {
    const brand = ascii(bytes, 8, 4);
    return `ISO media (${brand.trim()})`;
  }
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return "JPEG XL";
  if (startsWith(bytes, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return "JPEG 2000";
  if (ascii(bytes, 0, 4) === "%PDF") return "PDF";
  if (startsWith(bytes, [0, 0, 1, 0])) return "ICO";
  const head = ascii(bytes, 0, 256).trimStart().toLowerCase();
  if (head.startsWith("<svg") || (head.startsWith("<?xml") && head.includes("<svg"))) return "SVG";
  if (head.startsWith("<")) return "XML/HTML";
  return "unrecognised content";
}

/** The major and compatible brands of a leading ISO-media `ftyp` box (none if there is none). */
function ftypBrands(bytes: Uint8Array): string[] {
  if (bytes.length < 16 || ascii(bytes, 4, 4) !== "ftyp") return [];
  const end = Math.min(bytes.length, new DataView(bytes.buffer, bytes.byteOffset).getUint32(0));
  const brands = [ascii(bytes, 8, 4)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(bytes, at, 4));
  return brands;
}

export function detectFormat(bytes: Uint8Array): SourceFormat {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a") return "gif";
  if (ascii(bytes, 0, 2) === "BM" && bytes.length >= 26) return "bmp";
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return "tiff";
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") return "webp";
  const brands = ftypBrands(bytes);
  if (brands.some((brand) => brand === "avif" || brand === "avis")) return "avif";
  // HEIF's own brands; a plain "mif1" file is read as HEIF too, so an unknown coding is named.
  if (brands.some((brand) => /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(brand))) return "heic";
  throw new PermanentError(
    FailureReason.UnsupportedFormat,
    `content is not a supported image (${describeUnsupported(bytes)}); supported: JPEG, PNG, GIF, BMP, TIFF, WebP, AVIF, HEIC`,
  );
}

function corrupt(format: SourceFormat, what: string): PermanentError {
  return new PermanentError(FailureReason.CorruptImage, `${format.toUpperCase()} header is invalid: ${what}`);
}

export function readHeader(bytes: Uint8Array): ImageHeader {
  const format = detectFormat(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let dims: { width: number; height: number; orientation: number; decodeBytesPerPixel?: number };
  try {
    switch (format) {
      case "jpeg":
        dims = jpegHeader(bytes, view);
        break;
      case "png":
        dims = pngHeader(bytes, view);
        break;
      case "gif":
        dims = { width: view.getUint16(6, true), height: view.getUint16(8, true), orientation: 1 };
        break;
      case "bmp":
        dims = bmpHeader(view);
        break;
      case "tiff":
        dims = tiffHeader(view);
        break;
      case "webp":
        dims = webpHeader(bytes);
        break;
      case "avif":
        dims = avifHeader(bytes);
        break;
      case "heic":
        dims = heicHeader(bytes);
        break;
    }
  } catch (err) {
    if (err instanceof PermanentError) throw err;
    // DataView reads past the end: the file stops inside its header.
    throw corrupt(format, "the file ends inside the header (truncated)");
  }
  if (!(dims.width > 0) || !(dims.height > 0)) {
    throw corrupt(format, `dimensions ${dims.width}×${dims.height} are not positive`);
  }
  return { format, ...dims };
}

/**
 * Checks the header's pixel count against the limit; throws TooManyPixels above it. An image
 * whose decode costs more than the memory rule's bytes a pixel has a proportionally lower limit.
 */
export function assertPixelLimit(header: ImageHeader, maxPixels: number): void {
  const pixels = header.width * header.height;
  const cost = header.decodeBytesPerPixel;
  const limit = cost === undefined ? maxPixels : pixelLimitFor(cost, maxPixels);
  if (pixels <= limit) return;
  const rule =
    limit === maxPixels
      ? `the limit (MAX_IMAGE_PIXELS) is ${maxPixels}`
      : `the limit for this ${header.format.toUpperCase()} is ${limit} (MAX_IMAGE_PIXELS ${maxPixels} × ${DECODE_BYTES_PER_PIXEL}/${cost}: its decode needs about ${cost} bytes a pixel, the memory rule allows ${DECODE_BYTES_PER_PIXEL})`;
  throw new PermanentError(FailureReason.TooManyPixels, `image is ${header.width}×${header.height} = ${pixels} pixels; ${rule}`);
}

const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegHeader(bytes: Uint8Array, view: DataView) {
  let orientation = 1;
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) throw corrupt("jpeg", `expected a marker at byte ${offset}`);
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2;
      continue;
    }
    const length = view.getUint16(offset + 2);
    if (length < 2) throw corrupt("jpeg", `segment length ${length} at byte ${offset}`);
    const segment = offset + 4;
    if (marker === 0xe1 && ascii(bytes, segment, 6) === "Exif\0\0") {
      orientation = tiffOrientation(
        new DataView(bytes.buffer, bytes.byteOffset + segment + 6, Math.max(0, Math.min(length - 8, bytes.length - segment - 6))),
      );
    } else if (SOF_MARKERS.has(marker)) {
      return { height: view.getUint16(segment + 1), width: view.getUint16(segment + 3), orientation };
    } else if (marker === 0xda || marker === 0xd9) {
      break;
    }
    offset = segment + length - 2;
  }
  throw corrupt("jpeg", "no frame header (SOF) before the image data");
}

function pngHeader(bytes: Uint8Array, view: DataView) {
  if (ascii(bytes, 12, 4) !== "IHDR") throw corrupt("png", "first chunk is not IHDR");
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  // eXIf (PNG 1.5) carries EXIF orientation, which browsers honour; it must precede IDAT.
  let orientation = 1;
  let offset = 8;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = ascii(bytes, offset + 4, 4);
    if (type === "IDAT" || type === "IEND") break;
    if (type === "eXIf" && offset + 8 + length <= bytes.length) {
      orientation = tiffOrientation(new DataView(bytes.buffer, bytes.byteOffset + offset + 8, length));
      break;
    }
    offset += 12 + length;
  }
  return { width, height, orientation };
}

function bmpHeader(view: DataView) {
  const headerSize = view.getUint32(14, true);
  if (headerSize === 12) return { width: view.getUint16(18, true), height: view.getUint16(20, true), orientation: 1 };
  if (headerSize < 40) throw corrupt("bmp", `DIB header size ${headerSize}`);
  // Negative height means rows are stored top-down.
  return { width: view.getInt32(18, true), height: Math.abs(view.getInt32(22, true)), orientation: 1 };
}

const TAG_WIDTH = 256;
const TAG_HEIGHT = 257;
const TAG_ORIENTATION = 274;

interface TiffEntries {
  [tag: number]: number;
}

/** Reads the numeric SHORT/LONG tags of the first IFD of a TIFF structure (a TIFF file or an EXIF block). */
function firstIfd(view: DataView): TiffEntries {
  const order = view.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) throw new RangeError("byte order");
  const little = order === 0x4949;
  if (view.getUint16(2, little) !== 42) throw new RangeError("magic");
  const ifd = view.getUint32(4, little);
  const count = view.getUint16(ifd, little);
  const entries: TiffEntries = {};
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    const tag = view.getUint16(entry, little);
    const type = view.getUint16(entry + 2, little);
    if (type === 3) entries[tag] = view.getUint16(entry + 8, little);
    else if (type === 4) entries[tag] = view.getUint32(entry + 8, little);
  }
  return entries;
}

function validOrientation(value: number | undefined): number {
  return value !== undefined && value >= 1 && value <= 8 ? value : 1;
}

/** Orientation from an EXIF block; a damaged EXIF block must not fail an otherwise good image. */
function tiffOrientation(view: DataView): number {
  try {
    return validOrientation(firstIfd(view)[TAG_ORIENTATION]);
  } catch {
    return 1;
  }
}

function tiffHeader(view: DataView) {
  let entries: TiffEntries;
  try {
    entries = firstIfd(view);
  } catch {
    throw corrupt("tiff", "the first image directory cannot be read");
  }
  if (entries[TAG_WIDTH] === undefined || entries[TAG_HEIGHT] === undefined) {
    throw corrupt("tiff", "the first image directory has no width or height");
  }
  return { width: entries[TAG_WIDTH], height: entries[TAG_HEIGHT], orientation: validOrientation(entries[TAG_ORIENTATION]) };
}

/** The canvas (every size the decoder acts on is tied to it: webp/container.ts) and the EXIF chunk's orientation. */
function webpHeader(bytes: Uint8Array) {
  let container;
  try {
    container = readWebpContainer(bytes);
  } catch (err) {
    if (err instanceof WebpContainerError) throw corrupt("webp", err.message);
    throw err;
  }
  let orientation = 1;
  if (container.exif) {
    // Some writers keep JPEG's "Exif\0\0" prefix in front of the TIFF structure.
    const start = container.exif.start + (ascii(bytes, container.exif.start, 6) === "Exif\0\0" ? 6 : 0);
    orientation = tiffOrientation(new DataView(bytes.buffer, bytes.byteOffset + start, Math.max(0, container.exif.end - start)));
  }
  return { width: container.width, height: container.height, orientation };
}

/** The primary image's size (a grid's output size) and its irot/imir as an orientation; its EXIF orientation is not used (heif/orientation.ts). */
function avifHeader(bytes: Uint8Array) {
  try {
    const { width, height, orientation, decodeBytesPerPixel } = readAvifHeader(bytes);
    return { width, height, orientation, decodeBytesPerPixel };
  } catch (err) {
    if (err instanceof BoxError) throw corrupt("avif", err.message);
    throw err;
  }
}

/**
 * The size libheif will return (its transformations applied) with orientation 1: libheif turns
 * the image itself, so neither irot/imir nor the EXIF orientation is applied again. A clean
 * aperture crops after decoding: the stored size is held to the limit too (heic/decode.ts).
 */
function heicHeader(bytes: Uint8Array) {
  try {
    const { width, height } = readHeicHeader(bytes);
    return { width, height, orientation: 1 };
  } catch (err) {
    if (err instanceof BoxError) throw corrupt("heic", err.message);
    throw err;
  }
}
