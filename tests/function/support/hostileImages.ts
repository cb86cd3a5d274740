/**
 * Small hand-built images for the decoder-hazard tests: a GIF writer that takes explicit LZW
 * codes (so a test can send exactly the codes that broke a decoder), and a TIFF writer that
 * takes explicit IFD entries and strips (so a test can point offsets and counts anywhere).
 */
import * as zlib from "zlib";

const GIF_SCREEN = (width: number, height: number, globalColours: number) => {
  const header = Buffer.alloc(13);
  header.write("GIF89a", 0, "ascii");
  header.writeUInt16LE(width, 6);
  header.writeUInt16LE(height, 8);
  if (globalColours > 0) header[10] = 0x80 | (Math.log2(globalColours) - 1);
  return header;
};

/** Packs LZW codes least-significant bit first, each [code, bits], into GIF sub-blocks ending with a 0 block. */
export function lzwSubBlocks(codes: readonly (readonly [number, number])[]): Buffer {
  const bytes: number[] = [];
  let buffer = 0;
  let count = 0;
  for (const [code, bits] of codes) {
    buffer |= code << count;
    count += bits;
    while (count >= 8) {
      bytes.push(buffer & 0xff);
      buffer >>>= 8;
      count -= 8;
    }
  }
  if (count > 0) bytes.push(buffer & 0xff);
  const blocks: number[] = [];
  for (let i = 0; i < bytes.length; i += 255) {
    const part = bytes.slice(i, i + 255);
    blocks.push(part.length, ...part);
  }
  blocks.push(0);
  return Buffer.from(blocks);
}

/** LZW codes for palette indices (minimum code size 8) that never grow the code size: a clear code every 254 literals. */
export function literalCodes(indices: readonly number[]): [number, number][] {
  const codes: [number, number][] = [];
  for (let i = 0; i < indices.length; i += 254) {
    codes.push([256, 9]);
    for (const index of indices.slice(i, i + 254)) codes.push([index, 9]);
  }
  codes.push([257, 9]);
  return codes;
}

export interface GifFrame {
  width: number;
  height: number;
  x?: number;
  y?: number;
  /** Palette indices in the order they are stored (row order, or interlaced order when `interlaced`). */
  indices: readonly number[];
  /** RGB triples; when given, a local colour table (256 entries) instead of the global one. */
  localPalette?: readonly number[];
  interlaced?: boolean;
  transparentIndex?: number;
}

/** A GIF89a with a 256-colour global palette and the given frames, each LZW-coded with literal codes. */
export function gifOf(screenWidth: number, screenHeight: number, palette: readonly number[], frames: readonly GifFrame[], trailer: Buffer = Buffer.from([0x3b])): Buffer {
  const parts: Buffer[] = [GIF_SCREEN(screenWidth, screenHeight, 256), paletteBytes(palette)];
  for (const frame of frames) {
    if (frame.transparentIndex !== undefined) parts.push(Buffer.from([0x21, 0xf9, 4, 1, 0, 0, frame.transparentIndex, 0]));
    const descriptor = Buffer.alloc(10);
    descriptor[0] = 0x2c;
    descriptor.writeUInt16LE(frame.x ?? 0, 1);
    descriptor.writeUInt16LE(frame.y ?? 0, 3);
    descriptor.writeUInt16LE(frame.width, 5);
    descriptor.writeUInt16LE(frame.height, 7);
    descriptor[9] = (frame.localPalette ? 0x87 : 0) | (frame.interlaced ? 0x40 : 0);
    parts.push(descriptor);
    if (frame.localPalette) parts.push(paletteBytes(frame.localPalette));
    parts.push(Buffer.from([8]), lzwSubBlocks(literalCodes(frame.indices)));
  }
  parts.push(trailer);
  return Buffer.concat(parts);
}

function paletteBytes(rgb: readonly number[]): Buffer {
  const table = Buffer.alloc(256 * 3);
  Buffer.from(rgb).copy(table);
  return table;
}

/**
 * A 4×4 GIF (minimum code size 2) whose codes make omggif's code table point an entry at itself:
 * clear, 0, then 7 (beyond the next free code 6, which omggif accepts), then 1 (which stores
 * entry 7 with prefix 7), then 7 again, whose prefix chain omggif then follows forever.
 */
export function gifWithSelfReferentialLzwCode(): Buffer {
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(4, 5);
  descriptor.writeUInt16LE(4, 7);
  return Buffer.concat([
    GIF_SCREEN(4, 4, 4),
    Buffer.from([0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255]),
    descriptor,
    Buffer.from([2]),
    lzwSubBlocks([[4, 3], [0, 3], [7, 3], [1, 3], [7, 4], [5, 4]]),
    Buffer.from([0x3b]),
  ]);
}

export type TiffEntry = [tag: number, type: number, values: number[]];

/**
 * A little-endian TIFF: header, the strips' data, then one IFD with the given entries (values
 * that do not fit in 4 bytes are stored after it). `stripOffsets` / `stripByteCounts` are filled
 * in from `strips` unless the entries give them. `nextIfd` is written as the IFD's next offset;
 * "self" points it at the IFD itself.
 */
export function tiffOf(entries: TiffEntry[], strips: Buffer[], nextIfd: number | "self" = 0): Buffer {
  const SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 7: 1 };
  let at = 8;
  const offsets = strips.map((strip) => {
    const offset = at;
    at += strip.length;
    return offset;
  });
  const all: TiffEntry[] = [...entries];
  if (!all.some(([tag]) => tag === 273)) all.push([273, 4, offsets]);
  if (!all.some(([tag]) => tag === 279)) all.push([279, 4, strips.map((s) => s.length)]);
  all.sort((a, b) => a[0] - b[0]);
  const ifdOffset = at + (at % 2);
  const ifd = Buffer.alloc(2 + all.length * 12 + 4);
  const extra: Buffer[] = [];
  let extraAt = ifdOffset + ifd.length;
  ifd.writeUInt16LE(all.length, 0);
  all.forEach(([tag, type, values], i) => {
    const entry = 2 + i * 12;
    const size = SIZES[type];
    const data = Buffer.alloc(values.length * size);
    values.forEach((v, k) => (size === 1 ? data.writeUInt8(v, k) : size === 2 ? data.writeUInt16LE(v, k * 2) : data.writeUInt32LE(v, k * 4)));
    ifd.writeUInt16LE(tag, entry);
    ifd.writeUInt16LE(type, entry + 2);
    ifd.writeUInt32LE(values.length, entry + 4);
    if (data.length <= 4) data.copy(ifd, entry + 8);
    else {
      ifd.writeUInt32LE(extraAt, entry + 8);
      extra.push(data);
      extraAt += data.length;
    }
  });
  ifd.writeUInt32LE(nextIfd === "self" ? ifdOffset : nextIfd, ifd.length - 4);
  const header = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0, 0, 0, 0]);
  header.writeUInt32LE(ifdOffset, 4);
  return Buffer.concat([header, ...strips, Buffer.alloc(ifdOffset - at), ifd, ...extra]);
}

/** The entries of an 8-bit greyscale width × height TIFF in one strip with the given compression. */
export function greyEntries(width: number, height: number, compression = 1): TiffEntry[] {
  return [
    [256, 4, [width]],
    [257, 4, [height]],
    [258, 3, [8]],
    [259, 3, [compression]],
    [262, 3, [1]],
    [277, 3, [1]],
    [278, 4, [height]],
  ];
}

/** A greyscale TIFF whose one Deflate strip inflates to `inflatedBytes` zero bytes. */
export function deflateTiff(width: number, height: number, inflatedBytes: number): Buffer {
  return tiffOf(greyEntries(width, height, 8), [zlib.deflateSync(Buffer.alloc(inflatedBytes), { level: 9 })]);
}

/** An RGB TIFF with one JPEG-compressed (compression 7) strip holding `jpeg` as it is. */
export function jpegInTiff(width: number, height: number, jpeg: Buffer): Buffer {
  return tiffOf(
    [
      [256, 4, [width]],
      [257, 4, [height]],
      [258, 3, [8, 8, 8]],
      [259, 3, [7]],
      [262, 3, [6]],
      [277, 3, [3]],
      [278, 4, [height]],
    ],
    [jpeg],
  );
}
