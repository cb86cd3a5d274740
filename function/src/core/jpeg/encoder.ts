/**
 * Baseline JPEG encoder for thumbnails. jpeg-js's encoder (what jimp uses) rebuilds its tables
 * on every call — 130 K small arrays — and writes through a JS array of numbers, so encoding a
 * 256 px thumbnail costs tens of ms, mostly garbage collection. This one keeps its tables per
 * quality and works in typed arrays; 4:4:4 by default (what jpeg-js writes), 4:2:0 on request.
 *
 * Standard (Annex K) quantisation tables scaled by the IJG quality formula and standard Huffman
 * tables, so the output is an ordinary JFIF file any decoder reads.
 */

export type ChromaSubsampling = "4:4:4" | "4:2:0";

export interface JpegEncodeOptions {
  /** 1–100, IJG scale (libjpeg, sharp and jpeg-js agree on its meaning). */
  quality: number;
  /** Default 4:4:4: at thumbnail size, 4:2:0 saves ~25 % of the bytes but costs ~2 dB on
   * colourful detail, more than the resize itself loses (measured in bench/). */
  chromaSubsampling?: ChromaSubsampling;
  /** MCUs between restart markers (DRI/RSTn); 0 = none. Lets a decoder resynchronise after damage. */
  restartInterval?: number;
}

const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57,
  50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

// Annex K.1, natural (row-major) order.
const LUMA_QUANT = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22,
  37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_QUANT = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

// Annex K.3: code counts per length 1–16, then symbols.
const DC_LUMA = { counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const DC_CHROMA = { counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const AC_LUMA = {
  counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  symbols: [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91,
    0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a,
    0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53,
    0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79,
    0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
    0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9,
    0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2,
    0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};
const AC_CHROMA = {
  counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  symbols: [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14,
    0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17,
    0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a,
    0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78,
    0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3,
    0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
    0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2,
    0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};

interface HuffmanSpec {
  counts: number[];
  symbols: number[];
}

interface HuffmanCodes {
  code: Uint16Array;
  length: Uint8Array;
}

/** Canonical codes from a table spec (Annex C). */
function huffmanCodes(spec: HuffmanSpec): HuffmanCodes {
  const code = new Uint16Array(256);
  const length = new Uint8Array(256);
  let next = 0;
  let k = 0;
  for (let bits = 1; bits <= 16; bits++) {
    for (let i = 0; i < spec.counts[bits - 1]; i++) {
      code[spec.symbols[k]] = next++;
      length[spec.symbols[k]] = bits;
      k++;
    }
    next <<= 1;
  }
  return { code, length };
}

const HUFFMAN = {
  dcLuma: huffmanCodes(DC_LUMA),
  dcChroma: huffmanCodes(DC_CHROMA),
  acLuma: huffmanCodes(AC_LUMA),
  acChroma: huffmanCodes(AC_CHROMA),
};

// AAN forward DCT output scale factors: the quantiser divides by q·8·s(u)·s(v).
const AAN_SCALE = [1, 1.387039845, 1.306562965, 1.175875602, 1, 0.785694958, 0.5411961, 0.275899379];

interface QuantTables {
  /** Integer tables as written to DQT, in zigzag order. */
  lumaZigzag: Uint8Array;
  chromaZigzag: Uint8Array;
  /** Multipliers that fold the AAN scale and the quantiser together, natural order. */
  lumaDivisors: Float32Array;
  chromaDivisors: Float32Array;
}

const quantCache = new Map<number, QuantTables>();

function quantTables(quality: number): QuantTables {
  const cached = quantCache.get(quality);
  if (cached) return cached;
  const scale = quality < 50 ? Math.floor(5000 / quality) : 200 - quality * 2;
  const build = (base: number[]) => {
    const zigzag = new Uint8Array(64);
    const divisors = new Float32Array(64);
    for (let i = 0; i < 64; i++) {
      const q = Math.min(255, Math.max(1, Math.floor((base[i] * scale + 50) / 100)));
      zigzag[ZIGZAG.indexOf(i)] = q;
      divisors[i] = 1 / (q * AAN_SCALE[i >> 3] * AAN_SCALE[i & 7] * 8);
    }
    return { zigzag, divisors };
  };
  const luma = build(LUMA_QUANT);
  const chroma = build(CHROMA_QUANT);
  const tables = { lumaZigzag: luma.zigzag, chromaZigzag: chroma.zigzag, lumaDivisors: luma.divisors, chromaDivisors: chroma.divisors };
  quantCache.set(quality, tables);
  return tables;
}

/** Growable byte sink with JPEG bit packing and 0xFF byte stuffing. */
class ByteWriter {
  private bytes: Uint8Array;
  length = 0;
  private bitBuffer = 0;
  private bitCount = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  word(value: number): void {
    this.byte(value >> 8);
    this.byte(value & 0xff);
  }

  array(values: ArrayLike<number>): void {
    this.ensure(values.length);
    for (let i = 0; i < values.length; i++) this.bytes[this.length++] = values[i];
  }

  /** Room for `extra` more bytes; called once per block so bits() need not check. */
  reserve(extra: number): void {
    this.ensure(extra);
  }

  bits(value: number, count: number): void {
    // count ≤ 16 and bitCount < 8 on entry, so 24 bits always suffice.
    const buffer = (this.bitBuffer << count) | (value & ((1 << count) - 1));
    let bitCount = this.bitCount + count;
    const bytes = this.bytes;
    while (bitCount >= 8) {
      bitCount -= 8;
      const byte = (buffer >> bitCount) & 0xff;
      bytes[this.length++] = byte;
      if (byte === 0xff) bytes[this.length++] = 0;
    }
    this.bitBuffer = buffer & ((1 << bitCount) - 1);
    this.bitCount = bitCount;
  }

  /** Byte-aligns and writes RSTn (n = index mod 8), as a restart interval ends. */
  restart(index: number): void {
    this.flushBits();
    this.word(0xffd0 + (index & 7));
  }

  /** Pads the last byte with 1 bits, as the standard asks. */
  flushBits(): void {
    if (this.bitCount > 0) this.bits(0x7f, 8 - this.bitCount);
  }

  result(): Buffer {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length);
  }
}

/** In-place AAN forward DCT of an 8×8 block, then quantisation into `out` (natural order). */
function forwardDctQuantise(block: Float32Array, divisors: Float32Array, out: Int16Array): void {
  for (let pass = 0; pass < 2; pass++) {
    const stride = pass === 0 ? 1 : 8;
    const step = pass === 0 ? 8 : 1;
    for (let line = 0; line < 8; line++) {
      const o = line * step;
      const d0 = block[o],
        d1 = block[o + stride],
        d2 = block[o + 2 * stride],
        d3 = block[o + 3 * stride];
      const d4 = block[o + 4 * stride],
        d5 = block[o + 5 * stride],
        d6 = block[o + 6 * stride],
        d7 = block[o + 7 * stride];
      const t0 = d0 + d7,
        t7 = d0 - d7,
        t1 = d1 + d6,
        t6 = d1 - d6,
        t2 = d2 + d5,
        t5 = d2 - d5,
        t3 = d3 + d4,
        t4 = d3 - d4;
      let t10 = t0 + t3;
      const t13 = t0 - t3;
      let t11 = t1 + t2;
      let t12 = t1 - t2;
      block[o] = t10 + t11;
      block[o + 4 * stride] = t10 - t11;
      const z1 = (t12 + t13) * 0.707106781;
      block[o + 2 * stride] = t13 + z1;
      block[o + 6 * stride] = t13 - z1;
      t10 = t4 + t5;
      t11 = t5 + t6;
      t12 = t6 + t7;
      const z5 = (t10 - t12) * 0.382683433;
      const z2 = 0.5411961 * t10 + z5;
      const z4 = 1.306562965 * t12 + z5;
      const z3 = t11 * 0.707106781;
      const z11 = t7 + z3;
      const z13 = t7 - z3;
      block[o + 5 * stride] = z13 + z2;
      block[o + 3 * stride] = z13 - z2;
      block[o + stride] = z11 + z4;
      block[o + 7 * stride] = z11 - z4;
    }
  }
  for (let i = 0; i < 64; i++) out[i] = Math.round(block[i] * divisors[i]);
}

function magnitudeBits(value: number): number {
  return value === 0 ? 0 : 32 - Math.clz32(value < 0 ? -value : value);
}

/** Entropy-codes one quantised block; returns its DC for the next block's prediction. */
function writeBlock(writer: ByteWriter, coefficients: Int16Array, previousDc: number, dc: HuffmanCodes, ac: HuffmanCodes): number {
  // At most 64 codes of ≤ 16 + 11 bits, every byte possibly stuffed.
  writer.reserve(512);
  const dcValue = coefficients[0];
  const diff = dcValue - previousDc;
  const dcBits = magnitudeBits(diff);
  writer.bits(dc.code[dcBits], dc.length[dcBits]);
  if (dcBits) writer.bits(diff < 0 ? diff - 1 : diff, dcBits);
  let run = 0;
  for (let k = 1; k < 64; k++) {
    const value = coefficients[ZIGZAG[k]];
    if (value === 0) {
      run++;
      continue;
    }
    while (run > 15) {
      writer.bits(ac.code[0xf0], ac.length[0xf0]);
      run -= 16;
    }
    const bits = magnitudeBits(value);
    const symbol = (run << 4) | bits;
    writer.bits(ac.code[symbol], ac.length[symbol]);
    writer.bits(value < 0 ? value - 1 : value, bits);
    run = 0;
  }
  if (run > 0) writer.bits(ac.code[0], ac.length[0]);
  return dcValue;
}

function writeHuffmanTable(writer: ByteWriter, tableClassAndId: number, spec: HuffmanSpec): void {
  writer.byte(tableClassAndId);
  writer.array(spec.counts);
  writer.array(spec.symbols);
}

function writeHeaders(
  writer: ByteWriter,
  width: number,
  height: number,
  tables: QuantTables,
  lumaSampling: number,
  restartInterval: number,
): void {
  writer.word(0xffd8);
  // APP0 JFIF 1.01, no density, no thumbnail.
  writer.word(0xffe0);
  writer.word(16);
  writer.array([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  writer.word(0xffdb);
  writer.word(2 + 2 * 65);
  writer.byte(0);
  writer.array(tables.lumaZigzag);
  writer.byte(1);
  writer.array(tables.chromaZigzag);
  writer.word(0xffc0);
  writer.word(17);
  writer.byte(8);
  writer.word(height);
  writer.word(width);
  writer.byte(3);
  writer.array([1, lumaSampling, 0, 2, 0x11, 1, 3, 0x11, 1]);
  writer.word(0xffc4);
  const tableLength = (spec: HuffmanSpec) => 17 + spec.symbols.length;
  writer.word(2 + tableLength(DC_LUMA) + tableLength(AC_LUMA) + tableLength(DC_CHROMA) + tableLength(AC_CHROMA));
  writeHuffmanTable(writer, 0x00, DC_LUMA);
  writeHuffmanTable(writer, 0x10, AC_LUMA);
  writeHuffmanTable(writer, 0x01, DC_CHROMA);
  writeHuffmanTable(writer, 0x11, AC_CHROMA);
  if (restartInterval > 0) {
    writer.word(0xffdd);
    writer.word(4);
    writer.word(restartInterval);
  }
  writer.word(0xffda);
  writer.word(12);
  writer.array([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
}

/** The 8×8 block at (x, y) of a plane. */
function copyBlock(plane: Float32Array, stride: number, x: number, y: number, block: Float32Array): void {
  for (let row = 0; row < 8; row++) {
    const from = (y + row) * stride + x;
    for (let col = 0; col < 8; col++) block[row * 8 + col] = plane[from + col];
  }
}

/** The 16×16 area at (x, y) of a plane, averaged 2×2 down to one 8×8 block (4:2:0 chroma). */
function averageBlock(plane: Float32Array, stride: number, x: number, y: number, block: Float32Array): void {
  for (let row = 0; row < 8; row++) {
    const top = (y + 2 * row) * stride + x;
    const bottom = top + stride;
    for (let col = 0; col < 8; col++) {
      const c = 2 * col;
      block[row * 8 + col] = (plane[top + c] + plane[top + c + 1] + plane[bottom + c] + plane[bottom + c + 1]) * 0.25;
    }
  }
}

/** Encodes an RGBA bitmap (alpha ignored) as a baseline JFIF JPEG. */
export function encodeJpeg(bitmap: { width: number; height: number; data: Uint8Array }, options: JpegEncodeOptions): Buffer {
  const { width, height, data } = bitmap;
  const quality = Math.round(options.quality);
  if (!(quality >= 1 && quality <= 100)) throw new RangeError(`encodeJpeg: quality must be 1–100, got ${options.quality}`);
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1 && width <= 65535 && height <= 65535)) {
    throw new RangeError(`encodeJpeg: size must be 1–65535 pixels each way, got ${width}×${height}`);
  }
  if (data.length < width * height * 4)
    throw new RangeError(`encodeJpeg: ${width}×${height} RGBA needs ${width * height * 4} bytes, got ${data.length}`);
  const subsample = (options.chromaSubsampling ?? "4:4:4") === "4:2:0";
  const restartInterval = options.restartInterval ?? 0;
  if (!(Number.isInteger(restartInterval) && restartInterval >= 0 && restartInterval <= 65535)) {
    throw new RangeError(`encodeJpeg: restartInterval must be an integer 0–65535, got ${options.restartInterval}`);
  }
  const mcuSize = subsample ? 16 : 8;
  const tables = quantTables(quality);
  const writer = new ByteWriter(1024 + width * height);
  writeHeaders(writer, width, height, tables, subsample ? 0x22 : 0x11, restartInterval);

  // One pass converts to Y, Cb, Cr planes padded to whole MCUs by repeating the edge pixels;
  // the block loops below then only copy. (One long loop also gets optimised early, which
  // matters on a cold start, where each thumbnail is the first.)
  const planeWidth = Math.ceil(width / mcuSize) * mcuSize;
  const planeHeight = Math.ceil(height / mcuSize) * mcuSize;
  const yPlane = new Float32Array(planeWidth * planeHeight);
  const cbPlane = new Float32Array(planeWidth * planeHeight);
  const crPlane = new Float32Array(planeWidth * planeHeight);
  for (let y = 0; y < planeHeight; y++) {
    const sourceRow = (y < height ? y : height - 1) * width;
    let o = y * planeWidth;
    for (let x = 0; x < planeWidth; x++, o++) {
      const p = (sourceRow + (x < width ? x : width - 1)) * 4;
      const r = data[p];
      const g = data[p + 1];
      const b = data[p + 2];
      yPlane[o] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      cbPlane[o] = -0.168736 * r - 0.331264 * g + 0.5 * b;
      crPlane[o] = 0.5 * r - 0.418688 * g - 0.081312 * b;
    }
  }

  const block = new Float32Array(64);
  const coefficients = new Int16Array(64);
  let dcY = 0;
  let dcCb = 0;
  let dcCr = 0;
  let mcu = 0;
  for (let mcuY = 0; mcuY < planeHeight; mcuY += mcuSize) {
    for (let mcuX = 0; mcuX < planeWidth; mcuX += mcuSize) {
      if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
        writer.restart(mcu / restartInterval - 1);
        dcY = dcCb = dcCr = 0;
      }
      mcu++;
      for (let by = 0; by < mcuSize; by += 8) {
        for (let bx = 0; bx < mcuSize; bx += 8) {
          copyBlock(yPlane, planeWidth, mcuX + bx, mcuY + by, block);
          forwardDctQuantise(block, tables.lumaDivisors, coefficients);
          dcY = writeBlock(writer, coefficients, dcY, HUFFMAN.dcLuma, HUFFMAN.acLuma);
        }
      }
      for (const [plane, isCb] of [
        [cbPlane, true],
        [crPlane, false],
      ] as const) {
        if (subsample) averageBlock(plane, planeWidth, mcuX, mcuY, block);
        else copyBlock(plane, planeWidth, mcuX, mcuY, block);
        forwardDctQuantise(block, tables.chromaDivisors, coefficients);
        if (isCb) dcCb = writeBlock(writer, coefficients, dcCb, HUFFMAN.dcChroma, HUFFMAN.acChroma);
        else dcCr = writeBlock(writer, coefficients, dcCr, HUFFMAN.dcChroma, HUFFMAN.acChroma);
      }
    }
  }
  writer.flushBits();
  writer.word(0xffd9);
  return writer.result();
}
