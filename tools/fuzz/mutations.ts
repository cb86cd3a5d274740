/**
 * How a case is made from a seed: a few stacked mutations, byte-level (flips, sets of
 * interesting values, truncation, copies and deletions) or structure-aware (PNG chunks with
 * their CRC fixed so decoders read the damage, GIF blocks, TIFF IFD entries and offsets,
 * JPEG marker segments, BMP header fields, WebP RIFF chunks, HEIF boxes). A format without a structure mutator still gets
 * the byte-level ones.
 */
import * as zlib from "zlib";
import type { SourceFormat } from "../../contract/formats";
import type { Rng } from "./prng";

export type Mutator = (bytes: Buffer, r: Rng) => Buffer;

const INTERESTING_8 = [0x00, 0x01, 0x7f, 0x80, 0xff];
const INTERESTING_16 = [0x0000, 0x0001, 0x00ff, 0x7fff, 0x8000, 0xffff, 0x0100, 0x1000];
const INTERESTING_32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 0x1000000, 65535, 8];

function pos(bytes: Buffer, r: Rng, width = 1): number {
  return r.int(Math.max(1, bytes.length - width + 1));
}

// ---- byte level ----
const flipBit: Mutator = (b, r) => {
  const out = Buffer.from(b);
  if (out.length) out[pos(out, r)] ^= 1 << r.int(8);
  return out;
};
const setByte: Mutator = (b, r) => {
  const out = Buffer.from(b);
  if (out.length) out[pos(out, r)] = r.chance(0.5) ? r.pick(INTERESTING_8) : r.int(256);
  return out;
};
const setWord: Mutator = (b, r) => {
  const out = Buffer.from(b);
  if (out.length < 4) return out;
  const at = pos(out, r, 4);
  if (r.chance(0.5)) {
    const v = r.pick(INTERESTING_16);
    if (r.chance(0.5)) out.writeUInt16BE(v, at);
    else out.writeUInt16LE(v, at);
  } else {
    const v = r.pick(INTERESTING_32);
    if (r.chance(0.5)) out.writeUInt32BE(v, at);
    else out.writeUInt32LE(v, at);
  }
  return out;
};
const truncate: Mutator = (b, r) => b.subarray(0, r.int(b.length));
const deleteRange: Mutator = (b, r) => {
  const at = r.int(b.length);
  const n = 1 + r.int(Math.min(64, b.length - at));
  return Buffer.concat([b.subarray(0, at), b.subarray(at + n)]);
};
const duplicateRange: Mutator = (b, r) => {
  const at = r.int(b.length);
  const n = 1 + r.int(Math.min(256, b.length - at));
  const to = r.int(b.length);
  return Buffer.concat([b.subarray(0, to), b.subarray(at, at + n), b.subarray(to)]);
};
const randomRun: Mutator = (b, r) => {
  const out = Buffer.from(b);
  const at = r.int(out.length);
  const n = Math.min(out.length - at, 1 + r.int(32));
  for (let i = 0; i < n; i++) out[at + i] = r.int(256);
  return out;
};

export const BYTE_MUTATORS: Record<string, Mutator> = { flipBit, setByte, setWord, truncate, deleteRange, duplicateRange, randomRun };

// ---- PNG ----
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
interface Chunk {
  type: string;
  data: Buffer;
}
function pngChunks(b: Buffer): Chunk[] | undefined {
  const chunks: Chunk[] = [];
  let at = 8;
  while (at + 12 <= b.length) {
    const length = b.readUInt32BE(at);
    if (at + 12 + length > b.length) return undefined;
    chunks.push({ type: b.toString("latin1", at + 4, at + 8), data: b.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return chunks;
}
function pngWrite(chunks: Chunk[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const c of chunks) {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(c.data.length, 0);
    head.write(c.type, 4, "latin1");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), c.data])));
    parts.push(head, c.data, crc);
  }
  return Buffer.concat(parts);
}
const png: Mutator = (b, r) => {
  const chunks = pngChunks(b);
  if (!chunks || chunks.length === 0) return flipBit(b, r);
  const ihdr = chunks.find((c) => c.type === "IHDR");
  const idats = chunks.filter((c) => c.type === "IDAT");
  const action = r.int(8);
  if (action === 0 && ihdr) {
    // IHDR fields: dimensions, depth, colour type, interlace.
    const data = Buffer.from(ihdr.data);
    const field = r.pick([0, 4, 8, 9, 10, 11, 12]);
    if (field < 8) data.writeUInt32BE(r.chance(0.5) ? r.pick(INTERESTING_32) : r.int(70_000), field);
    else
      data[field] =
        field === 12 ? r.int(3) : field === 8 ? r.pick([1, 2, 4, 8, 16, 3]) : field === 9 ? r.pick([0, 2, 3, 4, 6, 1, 7]) : r.int(3);
    ihdr.data = data;
  } else if (action === 1 && idats.length) {
    // Re-deflate mutated image data: the filter bytes and scanlines themselves are damaged, not the zlib stream.
    const raw = safeInflate(Buffer.concat(idats.map((c) => c.data)));
    if (raw) {
      const mutated = r.pick([flipBit, setByte, randomRun, truncate, duplicateRange])(raw, r);
      const first = chunks.indexOf(idats[0]);
      const rest = chunks.filter((c) => c.type !== "IDAT");
      rest.splice(first, 0, { type: "IDAT", data: zlib.deflateSync(mutated) });
      return pngWrite(rest);
    }
  } else if (action === 2 && idats.length) {
    // An inflate bomb: the same header, image data that inflates far beyond what it declares.
    const first = chunks.indexOf(idats[0]);
    const rest = chunks.filter((c) => c.type !== "IDAT");
    rest.splice(first, 0, { type: "IDAT", data: zlib.deflateSync(Buffer.alloc((1 + r.int(64)) * 2 ** 20, r.int(256))) });
    return pngWrite(rest);
  } else if (action === 3 && ihdr) {
    ihdr.data = Buffer.from(ihdr.data);
    ihdr.data[12] = ihdr.data[12] ? 0 : 1; // toggle Adam7
  } else if (action === 4) {
    chunks.splice(r.int(chunks.length), 1);
  } else if (action === 5) {
    const c = r.pick(chunks);
    chunks.splice(r.int(chunks.length + 1), 0, { type: c.type, data: Buffer.from(c.data) });
  } else if (action === 6) {
    const c = r.pick(chunks);
    c.data = r.pick([flipBit, setByte, setWord, truncate, randomRun])(c.data.length ? c.data : Buffer.alloc(1), r);
  } else {
    // Split the image data across many IDAT chunks, or insert an unknown/critical chunk.
    if (idats.length && r.chance(0.5)) {
      const all = Buffer.concat(idats.map((c) => c.data));
      const first = chunks.indexOf(idats[0]);
      const rest = chunks.filter((c) => c.type !== "IDAT");
      const size = 1 + r.int(64);
      const pieces: Chunk[] = [];
      for (let i = 0; i < all.length; i += size) pieces.push({ type: "IDAT", data: all.subarray(i, i + size) });
      rest.splice(first, 0, ...pieces);
      return pngWrite(rest);
    }
    chunks.splice(1 + r.int(chunks.length), 0, {
      type: r.pick(["PLTE", "tRNS", "eXIf", "zzZz", "ZZZZ", "acTL"]),
      data: Buffer.from(Array.from({ length: r.int(40) }, () => r.int(256))),
    });
  }
  return pngWrite(chunks);
};
function safeInflate(data: Buffer): Buffer | undefined {
  try {
    return zlib.inflateSync(data, { maxOutputLength: 16 * 2 ** 20 });
  } catch {
    return undefined;
  }
}

// ---- GIF ----
/** Offsets of the parts of a GIF worth aiming at: screen descriptor, image descriptors, LZW code sizes, sub-block lengths. */
function gifTargets(b: Buffer): { sizes: number[]; descriptors: number[]; codeSizes: number[]; blockLengths: number[] } {
  const t = { sizes: [6, 8], descriptors: [] as number[], codeSizes: [] as number[], blockLengths: [] as number[] };
  if (b.length < 13) return t;
  let at = 13;
  if (b[10] & 0x80) at += 3 * (2 << (b[10] & 7));
  const skipBlocks = () => {
    while (at < b.length && b[at] !== 0) {
      t.blockLengths.push(at);
      at += b[at] + 1;
    }
    at++;
  };
  while (at < b.length) {
    if (b[at] === 0x21) {
      at += 2;
      skipBlocks();
    } else if (b[at] === 0x2c) {
      t.descriptors.push(at);
      t.sizes.push(at + 5, at + 7);
      const flags = b[at + 9];
      at += 10;
      if (flags & 0x80) at += 3 * (2 << (flags & 7));
      t.codeSizes.push(at);
      at++;
      skipBlocks();
    } else break;
  }
  return t;
}
const gif: Mutator = (b, r) => {
  const out = Buffer.from(b);
  const t = gifTargets(out);
  const action = r.int(5);
  if (action === 0 && t.sizes.length) {
    const at = r.pick(t.sizes);
    if (at + 2 <= out.length) out.writeUInt16LE(r.chance(0.5) ? r.pick(INTERESTING_16) : r.int(8000), at);
  } else if (action === 1 && t.codeSizes.length) {
    out[r.pick(t.codeSizes)] = r.pick([0, 1, 2, 8, 11, 12, 13, 255]);
  } else if (action === 2 && t.blockLengths.length) {
    out[r.pick(t.blockLengths)] = r.pick(INTERESTING_8);
  } else if (action === 3 && t.descriptors.length) {
    // Image descriptor flags: local colour table, interlace, table size.
    const at = r.pick(t.descriptors) + 9;
    if (at < out.length) out[at] = r.pick([0x00, 0x40, 0x80, 0x87, 0xc7, r.int(256)]);
  } else {
    // Damage the LZW data itself: inside a sub-block.
    const blocks = t.blockLengths.filter((at) => out[at] > 0);
    if (blocks.length) {
      const at = r.pick(blocks);
      const i = at + 1 + r.int(out[at]);
      if (i < out.length) out[i] = r.int(256);
    }
  }
  return out;
};

// ---- TIFF ----
const tiff: Mutator = (b, r) => {
  const out = Buffer.from(b);
  if (out.length < 8) return flipBit(b, r);
  const little = out[0] === 0x49;
  const u16 = (at: number) => (little ? out.readUInt16LE(at) : out.readUInt16BE(at));
  const u32 = (at: number) => (little ? out.readUInt32LE(at) : out.readUInt32BE(at));
  const w16 = (v: number, at: number) => (little ? out.writeUInt16LE(v, at) : out.writeUInt16BE(v, at));
  const w32 = (v: number, at: number) => (little ? out.writeUInt32LE(v >>> 0, at) : out.writeUInt32BE(v >>> 0, at));
  const ifd = u32(4);
  if (ifd + 2 > out.length) return setWord(b, r);
  const count = u16(ifd);
  const entries = Array.from({ length: count }, (_, i) => ifd + 2 + i * 12).filter((at) => at + 12 <= out.length);
  const next = ifd + 2 + count * 12;
  const action = r.int(7);
  if (action === 0 && next + 4 <= out.length) {
    w32(r.pick([ifd, 8, next, 0, out.length - 2]), next); // next-IFD offset: a cycle, or nonsense
  } else if (action === 1) {
    w16(r.pick([0, 1, 0xffff, (count + 1) & 0xffff, 500]), ifd); // entry count
  } else if (entries.length && action === 2) {
    w32(r.pick([0xffffffff, 0x40000000, 1_000_000, 0, 2]), r.pick(entries) + 4); // value count
  } else if (entries.length && action === 3) {
    w32(r.pick([ifd, 0, out.length - 1, 0xfffffff0, r.int(out.length)]), r.pick(entries) + 8); // value or offset
  } else if (entries.length && action === 4) {
    w16(r.pick([1, 2, 3, 4, 5, 7, 12, 13, 16, 0, 99]), r.pick(entries) + 2); // type
  } else if (entries.length && action === 5) {
    // A known tag's value: size, bits, compression, photometric, strips, predictor, sub-IFDs.
    const at = r.pick(entries);
    w16(r.pick([256, 257, 258, 259, 262, 273, 277, 278, 279, 284, 317, 322, 323, 324, 325, 330, 338, 347, 34665]), at);
  } else if (entries.length) {
    const at = r.pick(entries) + 8;
    if (u16(at - 6) === 3) w16(r.pick(INTERESTING_16), at);
    else w32(r.pick(INTERESTING_32), at);
  }
  return out;
};

// ---- JPEG ----
function jpegSegments(b: Buffer): Array<{ at: number; marker: number; length: number }> {
  const segments: Array<{ at: number; marker: number; length: number }> = [];
  let at = 2;
  while (at + 4 <= b.length && b[at] === 0xff) {
    const marker = b[at + 1];
    const length = b.readUInt16BE(at + 2);
    segments.push({ at, marker, length });
    if (marker === 0xda) break;
    at += 2 + length;
  }
  return segments;
}
const jpeg: Mutator = (b, r) => {
  const out = Buffer.from(b);
  const segments = jpegSegments(out);
  if (!segments.length) return setByte(b, r);
  const action = r.int(6);
  const sof = segments.find((s) => s.marker >= 0xc0 && s.marker <= 0xcf && s.marker !== 0xc4 && s.marker !== 0xc8 && s.marker !== 0xcc);
  if (action === 0 && sof) {
    const field = r.pick([5, 7]); // height, width
    out.writeUInt16BE(r.chance(0.5) ? r.pick(INTERESTING_16) : r.int(10_000), sof.at + field);
  } else if (action === 1 && sof) {
    out[sof.at + 1] = r.pick([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc9, 0xca]); // frame type
  } else if (action === 2 && sof) {
    // Components: count, sampling factors, table selectors.
    const at = sof.at + 9 + r.int(Math.max(1, sof.length - 7));
    if (at < out.length) out[at] = r.pick([0, 1, 3, 4, 0x11, 0x22, 0x44, 0xff, r.int(256)]);
  } else if (action === 3) {
    const s = r.pick(segments);
    out.writeUInt16BE(r.pick([0, 1, 2, (s.length + 1) & 0xffff, Math.max(0, s.length - 1), 0xffff]), s.at + 2); // segment length
  } else if (action === 4) {
    // Inside a table (DHT, DQT, SOS) or after the scan header.
    const tables = segments.filter((s) => s.marker === 0xc4 || s.marker === 0xdb || s.marker === 0xda || s.marker === 0xdd);
    const s = tables.length ? r.pick(tables) : r.pick(segments);
    const at = s.at + 4 + r.int(Math.max(1, s.length - 2));
    if (at < out.length) out[at] = r.chance(0.5) ? r.pick(INTERESTING_8) : r.int(256);
  } else {
    // Insert a marker (restart, duplicate SOF/SOS, EOI) into the entropy-coded data.
    const scan = segments[segments.length - 1];
    const at = Math.min(out.length, scan.at + 2 + scan.length + r.int(Math.max(1, out.length - scan.at - scan.length)));
    const marker = Buffer.from([0xff, r.pick([0xd0, 0xd7, 0xd9, 0xda, 0xc0, 0xc4, 0xdd, 0x00])]);
    return Buffer.concat([out.subarray(0, at), marker, out.subarray(at)]);
  }
  return out;
};

// ---- BMP ----
const bmp: Mutator = (b, r) => {
  const out = Buffer.from(b);
  if (out.length < 54) return setByte(b, r);
  const field = r.pick([2, 10, 14, 18, 22, 26, 28, 30, 34, 46]);
  if (field === 26 || field === 28) out.writeUInt16LE(r.pick([0, 1, 2, 4, 8, 16, 24, 32, 64, 0xffff]), field);
  else if (field === 18 || field === 22) out.writeInt32LE(r.pick([0, 1, -1, -40, 30000, -2147483648, 2147483647, r.int(10_000)]), field);
  else if (field === 30)
    out.writeUInt32LE(r.pick([0, 1, 2, 3, 4, 5, 6, 99]), field); // compression
  else out.writeUInt32LE(r.pick(INTERESTING_32), field);
  return out;
};

// ---- WebP ----
/** RIFF chunks from offset 12 (and inside ANMF, whose frame chunks follow a 16-byte header). */
function webpChunks(b: Buffer): Array<{ type: string; at: number; size: number }> {
  const chunks: Array<{ type: string; at: number; size: number }> = [];
  const walk = (at: number, end: number) => {
    while (at + 8 <= end) {
      const type = b.toString("latin1", at, at + 4);
      const size = b.readUInt32LE(at + 4);
      chunks.push({ type, at, size });
      if (type === "ANMF") walk(at + 24, Math.min(end, at + 8 + size));
      at += 8 + size + (size & 1);
    }
  };
  walk(12, b.length);
  return chunks;
}

const webp: Mutator = (b, r) => {
  const out = Buffer.from(b);
  const chunks = webpChunks(out);
  if (chunks.length === 0) return setByte(b, r);
  const c = r.pick(chunks);
  const action = r.int(4);
  if (action === 0)
    out.writeUInt32LE(r.pick([0, 1, 0xffffffff, c.size + 1, Math.max(0, c.size - 1), out.length]), r.chance(0.2) ? 4 : c.at + 4);
  else if (action === 1 && c.type === "VP8X" && c.at + 18 <= out.length) {
    // Flags, or a canvas dimension (24 bits, minus one).
    if (r.chance(0.4)) out[c.at + 8] = r.pick([0, 0x02, 0x10, 0x12, 0x3e, 0xff]);
    else out.writeUIntLE(r.pick([0, 1, 0xffffff, 16383, r.int(0x10000)]), c.at + 8 + r.pick([4, 7]), 3);
  } else if (action === 2 && (c.type === "VP8 " || c.type === "VP8L" || c.type === "ANMF") && c.at + 18 <= out.length) {
    // Bitstream or frame dimensions.
    out.writeUInt16LE(r.pick([0, 1, 0x3fff, 0xffff, r.int(0x10000)]), c.at + 8 + r.pick(c.type === "VP8 " ? [6, 8] : [1, 3, 6, 9]));
  } else {
    // A byte just inside the chunk's payload, where its header fields are.
    const at = c.at + 8 + r.int(Math.max(1, Math.min(c.size, 24)));
    if (at < out.length) out[at] = r.chance(0.5) ? r.pick(INTERESTING_8) : r.int(256);
  }
  return out;
};

// ---- HEIF (AVIF, HEIC) ----
/** Containers whose payload is boxes, and how many bytes (version and flags, counts) come first. */
const HEIF_CONTAINERS: Record<string, number> = {
  meta: 4,
  iprp: 0,
  ipco: 0,
  iinf: 6,
  iref: 4,
  moov: 0,
  trak: 0,
  mdia: 0,
  minf: 0,
  stbl: 0,
};

function heifBoxes(b: Buffer): Array<{ type: string; at: number; size: number }> {
  const boxes: Array<{ type: string; at: number; size: number }> = [];
  const walk = (at: number, end: number, depth: number) => {
    while (at + 8 <= end && depth < 6) {
      const size = b.readUInt32BE(at);
      const type = b.toString("latin1", at + 4, at + 8);
      if (size < 8) break;
      boxes.push({ type, at, size });
      if (type in HEIF_CONTAINERS) walk(at + 8 + HEIF_CONTAINERS[type], Math.min(end, at + size), depth + 1);
      at += size;
    }
  };
  walk(0, b.length, 0);
  return boxes;
}

const heif: Mutator = (b, r) => {
  const out = Buffer.from(b);
  const boxes = heifBoxes(out).filter((x) => x.type !== "mdat" || r.chance(0.2));
  if (boxes.length === 0) return setByte(b, r);
  const box = r.pick(boxes);
  if (r.chance(0.3)) {
    out.writeUInt32BE(r.pick([0, 1, 7, box.size + 1, box.size - 1, 0xffffffff, out.length]) >>> 0, box.at);
  } else if (box.type === "ispe" && box.at + 20 <= out.length) {
    out.writeUInt32BE(r.pick([0, 1, 16384, 65535, 0x7fffffff, 0xffffffff, r.int(100_000)]) >>> 0, box.at + 12 + 4 * r.int(2));
  } else {
    // A field in the first bytes of the payload: versions, flags, counts, ids, item types, indices.
    const at = box.at + 8 + r.int(Math.max(1, Math.min(box.size - 8, 24)));
    if (at < out.length) out[at] = r.chance(0.5) ? r.pick(INTERESTING_8) : r.int(256);
  }
  return out;
};

/** Structure-aware mutators by format; a new format may add one (the byte-level ones apply to all). */
export const STRUCTURE_MUTATORS: Partial<Record<SourceFormat, Mutator>> = { png, gif, tiff, jpeg, bmp, webp, avif: heif, heic: heif };

/** One case: 1–3 mutations, structure-aware half of the time when the format has a mutator. */
export function mutate(seed: Buffer, format: SourceFormat, r: Rng): { bytes: Buffer; steps: string[] } {
  let bytes = seed;
  const steps: string[] = [];
  const n = 1 + r.int(3);
  const structure = STRUCTURE_MUTATORS[format];
  for (let i = 0; i < n && bytes.length > 0; i++) {
    if (structure && r.chance(0.5)) {
      // A structure mutator reads fields an earlier step may have cut short; then it is a byte flip.
      try {
        bytes = structure(bytes, r);
        steps.push(format);
      } catch {
        bytes = flipBit(bytes, r);
        steps.push("flipBit");
      }
    } else {
      const name = r.pick(Object.keys(BYTE_MUTATORS));
      // Truncation is strong; keep it rare so later steps have bytes to work on.
      if (name === "truncate" && !r.chance(0.3)) continue;
      bytes = BYTE_MUTATORS[name](bytes, r);
      steps.push(name);
    }
  }
  return { bytes, steps };
}
