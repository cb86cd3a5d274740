/**
 * Reads and checks the first image directory (IFD) of a TIFF before utif2 decodes it. utif2's
 * own reader trusts the file: it follows "next IFD" and sub-IFD offsets without cycle checks
 * (an IFD pointing at itself spins forever while memory climbs), reads as many values as a
 * tag's count claims, and sizes buffers from tile and sample fields. Here only the first IFD
 * is read, never followed anywhere, every value must lie inside the file, and the fields that
 * drive utif2's loops and allocations are held to what the image's own size allows. The
 * result has utif2's shape (`t<tag>` → values), so utif2 only ever decodes pixels.
 */
import * as zlib from "zlib";
import { FailureReason } from "../../../contract/failureReasons";
import { PermanentError } from "./errors";
import { assertPixelLimit } from "./imageHeader";
import { MAX_JPEG_SCAN_MEGAPIXELS, MAX_JPEG_SCANS } from "./jpegDecoder";
import { countJpegScans, readJpegFrameSize } from "./jpeg/header";
import { decodeTiffLzw } from "./tiffLzw";

/** A directory in utif2's shape: "t256" → [width], …; byte-valued tags are Uint8Arrays. */
export type TiffPage = Record<string, unknown>;

const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

/** Compressions decoded here; utif2's camera-RAW codecs (Nikon, Sony, Panasonic, …) are not offered to uploads. */
const SUPPORTED_COMPRESSIONS = new Map<number, string>([
  [1, "none"],
  [2, "CCITT RLE"],
  [3, "CCITT Group 3"],
  [4, "CCITT Group 4"],
  [5, "LZW"],
  [7, "JPEG"],
  [8, "Deflate"],
  [32946, "Deflate (old code)"],
  [32773, "PackBits"],
]);

/** Tags whose values utif2 needs in full however many there are (one per strip or tile). */
const PER_UNIT_TAGS = new Set([273, 279, 324, 325]);
/** Any other tag with more values than this is dropped: no field utif2 decodes with is that long (a 16-bit colour map has 196,608). */
const MAX_VALUES_PER_TAG = 3 * 65536;
const TIFF_HEADER_BYTES = 8;
/** Most IFDs (pages) a TIFF may chain; multi-page faxes have hundreds. */
const MAX_IFDS = 10_000;
/** Most bits a pixel may have (four 32-bit samples): bounds utif2's raw buffer to 16 bytes a pixel. */
const MAX_BITS_PER_PIXEL = 128;

function corrupt(what: string): PermanentError {
  return new PermanentError(FailureReason.CorruptImage, `TIFF is invalid: ${what}`);
}

interface Reader {
  bytes: Uint8Array;
  view: DataView;
  little: boolean;
}

function readValues(r: Reader, type: number, count: number, at: number): unknown {
  const { bytes, view, little } = r;
  switch (type) {
    case 1:
    case 6:
    case 7:
      return bytes.subarray(at, at + count);
    case 2: {
      const text = bytes.subarray(at, at + Math.max(0, count - 1));
      return text.length > 0 && text[0] >= 128 ? text : [String.fromCharCode(...text.subarray(0, 4096))];
    }
  }
  const values: unknown[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const p = at + i * TYPE_SIZES[type];
    switch (type) {
      case 3:
        values[i] = view.getUint16(p, little);
        break;
      case 4:
      case 13:
        values[i] = view.getUint32(p, little);
        break;
      case 5:
        values[i] = [view.getUint32(p, little), view.getUint32(p + 4, little)];
        break;
      case 8:
        values[i] = view.getInt16(p, little);
        break;
      case 9:
        values[i] = view.getInt32(p, little);
        break;
      case 10:
        values[i] = [view.getInt32(p, little), view.getInt32(p + 4, little)];
        break;
      case 11:
        values[i] = view.getFloat32(p, little);
        break;
      case 12:
        values[i] = view.getFloat64(p, little);
        break;
    }
  }
  return values;
}

/** The first IFD's entries; nothing it points to (next IFD, sub-IFDs, EXIF, maker notes) is followed. */
function readFirstIfd(bytes: Uint8Array): TiffPage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = view.getUint16(0) === 0x4949;
  const r: Reader = { bytes, view, little };
  const ifd = view.getUint32(4, little);
  if (ifd < 8 || ifd + 2 > bytes.length) throw corrupt(`the first IFD offset ${ifd} is outside the file of ${bytes.length} bytes`);
  const count = view.getUint16(ifd, little);
  if (ifd + 2 + count * 12 > bytes.length) {
    throw corrupt(
      `the IFD at byte ${ifd} has ${count} entries, which need ${count * 12} bytes; the file ends ${bytes.length - ifd - 2} bytes after it starts`,
    );
  }
  const page: TiffPage = {};
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    const tag = view.getUint16(entry, little);
    const type = view.getUint16(entry + 2, little);
    const valueCount = view.getUint32(entry + 4, little);
    const size = TYPE_SIZES[type];
    if (size === undefined || valueCount === 0) continue; // Unknown types are skipped, as the TIFF spec asks.
    const byteLength = valueCount * size;
    const at = byteLength <= 4 ? entry + 8 : view.getUint32(entry + 8, little);
    if (at + byteLength > bytes.length) {
      throw corrupt(
        `tag ${tag} at byte ${entry} has ${valueCount} values of ${size} bytes at byte ${at}, past the end of the file (${bytes.length} bytes); a tag's values must lie inside the file`,
      );
    }
    if (valueCount > MAX_VALUES_PER_TAG && size > 1 && !PER_UNIT_TAGS.has(tag)) continue;
    page[`t${tag}`] = readValues(r, type, valueCount, at);
  }
  return page;
}

/**
 * Walks the "next IFD" chain (entry counts and offsets only) so a cyclic or endless chain marks
 * the file corrupt; utif2 would follow it forever. A pointer outside the file ends the chain,
 * as libtiff treats it.
 */
function checkIfdChain(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = view.getUint16(0) === 0x4949;
  const seen = new Set<number>();
  let previous = 4;
  for (let ifd = view.getUint32(4, little); ifd !== 0 && ifd + 2 <= bytes.length;) {
    if (seen.has(ifd)) {
      const where = previous === ifd ? "itself" : `the IFD at byte ${ifd}`;
      throw corrupt(`the IFD at byte ${previous} points back to ${where} (a cycle); IFD chains must end`);
    }
    if (seen.size >= MAX_IFDS) throw corrupt(`the file chains more than ${MAX_IFDS} IFDs`);
    seen.add(ifd);
    const next = ifd + 2 + view.getUint16(ifd, little) * 12;
    if (next + 4 > bytes.length) break;
    previous = ifd;
    ifd = view.getUint32(next, little);
  }
}

function numbers(page: TiffPage, tag: number): number[] | undefined {
  const values = page[`t${tag}`];
  return Array.isArray(values) && values.every((v) => typeof v === "number") ? values : undefined;
}

function single(page: TiffPage, tag: number, name: string, fallback?: number): number {
  const value = numbers(page, tag)?.[0] ?? fallback;
  if (value === undefined) throw corrupt(`the first IFD has no ${name} (tag ${tag})`);
  return value;
}

/** The JPEG stream utif2 builds for a compression-7 strip or tile: the shared tables, then the unit's data. */
function jpegUnitStream(tables: Uint8Array | undefined, unit: Uint8Array): Uint8Array {
  if (!tables || tables.length < 2) return unit;
  const tablesEnd = tables[tables.length - 2] === 0xff && tables[tables.length - 1] === 0xd9 ? tables.length - 2 : tables.length;
  const body = unit[0] === 0xff && unit[1] === 0xd8 ? unit.subarray(2) : unit;
  return Buffer.concat([tables.subarray(0, tablesEnd), body]);
}

/**
 * Reads the first IFD of a TIFF and checks that utif2 can decode it within the image's own
 * size: a known compression, sane sample sizes, strips or tiles that lie inside the file and
 * add up to no more than it, and embedded JPEGs no larger than the strip or tile they fill.
 */
/** How the checked page's pixel data is laid out: what a strip-at-a-time decoder needs. */
export interface TiffLayout {
  width: number;
  height: number;
  compression: number;
  bitsPerSample: number;
  samplesPerPixel: number;
  /** 1, or samplesPerPixel when each sample has its own strips (PlanarConfiguration 2). */
  planes: number;
  tiled: boolean;
  /** Rows of a strip (or tile), the last one possibly fewer. */
  unitHeight: number;
  offsets: number[];
  byteCounts: number[];
  /** Bytes one full strip (or tile) holds uncompressed. */
  unitBytes: number;
}

export interface TiffPageOptions {
  /** Decode LZW strips into one buffer here (utif2's path); false leaves them to a strip-at-a-time decoder. */
  decodeLzw?: boolean;
}

export function readTiffPage(
  bytes: Uint8Array,
  maxPixels: number,
  options: TiffPageOptions = {},
): { page: TiffPage; data: Uint8Array; layout: TiffLayout } {
  let page: TiffPage;
  try {
    page = readFirstIfd(bytes);
    checkIfdChain(bytes);
  } catch (err) {
    if (err instanceof PermanentError) throw err;
    throw corrupt("the file ends inside the first IFD (truncated)");
  }
  const width = single(page, 256, "ImageWidth");
  const height = single(page, 257, "ImageLength");
  if (!(width > 0 && height > 0)) throw corrupt(`dimensions ${width}×${height} are not positive`);
  assertPixelLimit({ format: "tiff", width, height, orientation: 1 }, maxPixels);

  const compression = single(page, 259, "Compression", 1);
  if (!SUPPORTED_COMPRESSIONS.has(compression)) {
    const what = compression === 6 ? "6 (old-style JPEG, obsolete since 1995)" : String(compression);
    throw new PermanentError(
      FailureReason.UnsupportedFormat,
      `TIFF compression ${what} is not supported; supported: ${[...SUPPORTED_COMPRESSIONS.entries()].map(([k, v]) => `${k} (${v})`).join(", ")}`,
    );
  }
  const bitsPerSample = single(page, 258, "BitsPerSample", 1);
  const samplesPerPixel = single(page, 277, "SamplesPerPixel", 1);
  const bitsPerPixel = bitsPerSample * samplesPerPixel;
  if (!(bitsPerSample >= 1 && bitsPerSample <= 32 && samplesPerPixel >= 1 && bitsPerPixel <= MAX_BITS_PER_PIXEL)) {
    throw corrupt(
      `${samplesPerPixel} samples of ${bitsPerSample} bits a pixel; at most 32 bits a sample and ${MAX_BITS_PER_PIXEL} bits a pixel are decoded`,
    );
  }
  const planes = single(page, 284, "PlanarConfiguration", 1) === 2 ? samplesPerPixel : 1;

  const tiled = page.t322 !== undefined;
  let unitWidth: number;
  let unitHeight: number;
  let units: number;
  let offsets: number[] | undefined;
  let byteCounts: number[] | undefined;
  if (tiled) {
    unitWidth = single(page, 322, "TileWidth");
    unitHeight = single(page, 323, "TileLength");
    // The spec requires multiples of 16; it also keeps the tile count (utif2's loop) ≤ pixels / 256.
    if (!(unitWidth > 0 && unitHeight > 0 && unitWidth % 16 === 0 && unitHeight % 16 === 0)) {
      throw corrupt(`tile size ${unitWidth}×${unitHeight}; tile width and length must be positive multiples of 16`);
    }
    // utif2 allocates one tile's buffer up front, so the tile is held to the pixel limit too.
    if (unitWidth * unitHeight > maxPixels) {
      throw new PermanentError(
        FailureReason.TooManyPixels,
        `TIFF tile size is ${unitWidth}×${unitHeight} = ${unitWidth * unitHeight} pixels; the limit (MAX_IMAGE_PIXELS) is ${maxPixels}`,
      );
    }
    units = Math.ceil(width / unitWidth) * Math.ceil(height / unitHeight) * planes;
    offsets = numbers(page, 324);
    byteCounts = numbers(page, 325);
  } else {
    unitWidth = width;
    const rowsPerStrip = single(page, 278, "RowsPerStrip", height);
    if (!(rowsPerStrip >= 1)) throw corrupt(`RowsPerStrip is ${rowsPerStrip}; it must be at least 1`);
    unitHeight = Math.min(rowsPerStrip, height);
    units = Math.ceil(height / unitHeight) * planes;
    offsets = numbers(page, 273);
    byteCounts = numbers(page, 279);
  }
  const kind = tiled ? "tile" : "strip";
  if (!offsets || offsets.length < units || !byteCounts || byteCounts.length < units) {
    throw corrupt(
      `${units} ${kind}s are needed for ${width}×${height}, but the IFD has ${offsets?.length ?? 0} ${kind} offsets and ${byteCounts?.length ?? 0} byte counts`,
    );
  }
  // utif2 decodes as many units as there are offsets: hand it exactly the ones the image needs.
  offsets = offsets.slice(0, units);
  byteCounts = byteCounts.slice(0, units);
  page[tiled ? "t324" : "t273"] = offsets;
  page[tiled ? "t325" : "t279"] = byteCounts;
  let total = 0;
  for (let i = 0; i < units; i++) {
    if (offsets[i] + byteCounts[i] > bytes.length) {
      throw corrupt(`${kind} ${i} has ${byteCounts[i]} bytes at byte ${offsets[i]}, past the end of the file (${bytes.length} bytes)`);
    }
    total += byteCounts[i];
  }
  // Units do not overlap in a real file; overlapping ones would let a small file make utif2 decode its bytes many times over.
  if (total > bytes.length) throw corrupt(`the ${kind}s' byte counts add up to ${total}, more than the file's ${bytes.length} bytes`);

  const unitBytes = Math.ceil((unitWidth * bitsPerPixel) / 8 / planes) * unitHeight;
  let scanPixels = 0;
  for (let i = 0; i < units; i++) {
    const unit = bytes.subarray(offsets[i], offsets[i] + byteCounts[i]);
    if (compression === 7)
      scanPixels += checkJpegUnit(
        jpegUnitStream(page.t347 as Uint8Array | undefined, unit),
        `${kind} ${i}`,
        unitWidth,
        unitHeight,
        maxPixels,
      );
    else if ((compression === 8 || compression === 32946) && unit.length > 6) checkDeflateUnit(unit, `${kind} ${i}`, unitBytes);
  }
  if (scanPixels / 1_000_000 > MAX_JPEG_SCAN_MEGAPIXELS) {
    throw new PermanentError(
      FailureReason.TooComplex,
      `TIFF's JPEG ${kind}s add up to ${(scanPixels / 1_000_000).toFixed(1)} scan-megapixels (scans × megapixels), more than the limit of ${MAX_JPEG_SCAN_MEGAPIXELS}`,
    );
  }
  const layout = { width, height, compression, bitsPerSample, samplesPerPixel, planes, tiled, unitHeight, offsets, byteCounts, unitBytes };
  if (compression === 5 && options.decodeLzw !== false) {
    return { page, data: decodeLzwUnits(bytes, page, tiled, offsets, byteCounts, unitBytes), layout };
  }
  return { page, data: bytes, layout };
}

/**
 * Decodes every LZW strip or tile here (bounded) into a buffer laid out as uncompressed units
 * of `unitBytes` each, and points the page at it as compression 1; utif2 then only copies the
 * bytes and applies the predictor, as it does after any decompression.
 */
function decodeLzwUnits(
  bytes: Uint8Array,
  page: TiffPage,
  tiled: boolean,
  offsets: number[],
  byteCounts: number[],
  unitBytes: number,
): Uint8Array {
  // The file's 8-byte header comes first: utif2 reads the byte order (for 16-bit samples) from it.
  const data = new Uint8Array(TIFF_HEADER_BYTES + offsets.length * unitBytes);
  data.set(bytes.subarray(0, TIFF_HEADER_BYTES));
  const kind = tiled ? "tile" : "strip";
  const unitAt = (i: number) => TIFF_HEADER_BYTES + i * unitBytes;
  offsets.forEach((offset, i) => {
    decodeTiffLzw(bytes.subarray(offset, offset + byteCounts[i]), data.subarray(unitAt(i), unitAt(i + 1)), `${kind} ${i}`);
  });
  page.t259 = [1];
  page[tiled ? "t324" : "t273"] = offsets.map((_, i) => unitAt(i));
  page[tiled ? "t325" : "t279"] = offsets.map(() => unitBytes);
  return data;
}

/** Checks one JPEG strip or tile; returns its scans × pixels, the work its decode costs. */
function checkJpegUnit(stream: Uint8Array, name: string, unitWidth: number, unitHeight: number, maxPixels: number): number {
  const frame = readJpegFrameSize(stream);
  if (!frame) throw corrupt(`${name} is JPEG-compressed but has no JPEG frame header (SOF)`);
  if (frame.width * frame.height > maxPixels) {
    throw new PermanentError(
      FailureReason.TooManyPixels,
      `TIFF ${name} holds a ${frame.width}×${frame.height} JPEG = ${frame.width * frame.height} pixels; the limit (MAX_IMAGE_PIXELS) is ${maxPixels}`,
    );
  }
  if (frame.width > unitWidth || frame.height > unitHeight) {
    throw corrupt(
      `${name} holds a ${frame.width}×${frame.height} JPEG, larger than the ${unitWidth}×${unitHeight} the IFD declares for it`,
    );
  }
  const scans = countJpegScans(stream);
  if (scans > MAX_JPEG_SCANS) {
    throw new PermanentError(
      FailureReason.TooComplex,
      `TIFF ${name} holds a JPEG with ${scans} scans, more than the limit of ${MAX_JPEG_SCANS}`,
    );
  }
  return scans * frame.width * frame.height;
}

/** utif2 inflates Deflate units with no output limit; a unit may not inflate past the bytes its rows need. */
function checkDeflateUnit(unit: Uint8Array, name: string, unitBytes: number): void {
  try {
    zlib.inflateRawSync(unit.subarray(2, unit.length - 4), { maxOutputLength: Math.max(1, unitBytes) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw corrupt(`${name} inflates to more than the ${unitBytes} bytes its rows hold (a Deflate bomb)`);
    }
    // Other damage is utif2's to judge, as before.
  }
}
