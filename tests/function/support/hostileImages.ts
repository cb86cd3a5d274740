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
export function gifOf(
  screenWidth: number,
  screenHeight: number,
  palette: readonly number[],
  frames: readonly GifFrame[],
  trailer: Buffer = Buffer.from([0x3b]),
): Buffer {
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
    lzwSubBlocks([
      [4, 3],
      [0, 3],
      [7, 3],
      [1, 3],
      [7, 4],
      [5, 4],
    ]),
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
    values.forEach((v, k) =>
      size === 1 ? data.writeUInt8(v, k) : size === 2 ? data.writeUInt16LE(v, k * 2) : data.writeUInt32LE(v, k * 4),
    );
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

/**
 * TIFF LZW (compression 5) as libtiff writes it: codes most-significant bit first, widened
 * one code early, a clear code first and whenever the table is nearly full.
 */
export function tiffLzw(bytes: Uint8Array): Buffer {
  const out: number[] = [];
  let bits = 0;
  let count = 0;
  const emit = (code: number, width: number) => {
    bits = (bits << width) | code;
    count += width;
    while (count >= 8) {
      out.push((bits >>> (count - 8)) & 0xff);
      count -= 8;
    }
    bits &= (1 << count) - 1;
  };
  let table = new Map<string, number>();
  let emitted = 0; // codes since the last clear: the decoder's table has emitted − 1 new entries
  const width = () => {
    const decoderNext = 258 + Math.max(0, emitted - 1);
    return decoderNext + 1 < 512 ? 9 : decoderNext + 1 < 1024 ? 10 : decoderNext + 1 < 2048 ? 11 : 12;
  };
  const put = (code: number) => {
    emit(code, width());
    emitted++;
  };
  const codeOf = (s: string) => (s.length === 1 ? s.charCodeAt(0) : table.get(s)!);
  put(256);
  emitted = 0;
  let current = "";
  for (const byte of bytes) {
    const extended = current + String.fromCharCode(byte);
    if (current === "" || table.has(extended)) {
      current = extended;
      continue;
    }
    put(codeOf(current));
    table.set(extended, 258 + table.size);
    current = String.fromCharCode(byte);
    if (258 + table.size >= 4000) {
      put(codeOf(current));
      current = "";
      emit(256, width());
      table = new Map();
      emitted = 0;
    }
  }
  if (current !== "") put(codeOf(current));
  put(257);
  if (count > 0) out.push((bits << (8 - count)) & 0xff);
  return Buffer.from(out);
}

/**
 * Fifteen pseudo-random LZW strips (1–300 bytes; a fixed linear congruential sequence) on which
 * utif2's LZW decoder loops forever at the fifteenth: its code table is shared across calls
 * and never cleared, so the entries earlier strips left behind let the last one's chains cycle.
 * Each strip is followed by two zero bytes outside its byte count, because utif2 reads up to
 * two bytes past a strip and they were zeros when this was found.
 */
export function utif2LzwHangStrips(): { strips: Buffer[]; byteCounts: number[] } {
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const strips: Buffer[] = [];
  const byteCounts: number[] = [];
  for (let i = 0; i < 15; i++) {
    const length = 1 + Math.floor(next() * 300);
    const strip = Buffer.alloc(length + 2);
    for (let k = 0; k < length; k++) strip[k] = Math.floor(next() * 256);
    if (next() < 0.5) strip[0] = 0x80;
    strips.push(strip);
    byteCounts.push(length);
  }
  return { strips, byteCounts };
}
