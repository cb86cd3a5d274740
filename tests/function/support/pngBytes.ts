/**
 * PNGs written byte by byte, for what pngjs and jimp cannot write: every colour type at every
 * bit depth (1, 2, 4 bits; palettes), tRNS, each of the five row filters, and damaged files.
 * Non-interlaced or Adam7-interlaced.
 */
import * as zlib from "zlib";
import { pngChunk } from "./images";

export interface PngSpec {
  width: number;
  height: number;
  colourType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** Raw samples of pixel (x, y), one per channel, each 0 … 2^bitDepth − 1 (palette: the index). */
  samples: (x: number, y: number) => number[];
  /** PLTE entries as [r, g, b]. */
  palette?: [number, number, number][];
  /** tRNS body: palette alphas, or the grey / RGB sample values that are transparent. */
  transparency?: number[];
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

/** The unfiltered scanlines, packed big-endian as PNG stores them. */
function packedRows(spec: PngSpec): Buffer[] {
  const channels = CHANNELS[spec.colourType];
  const rowBytes = Math.ceil((spec.width * channels * spec.bitDepth) / 8);
  const rows: Buffer[] = [];
  for (let y = 0; y < spec.height; y++) {
    const row = Buffer.alloc(rowBytes);
    let bit = 0;
    for (let x = 0; x < spec.width; x++) {
      for (const sample of spec.samples(x, y)) {
        if (spec.bitDepth === 16) row.writeUInt16BE(sample, bit / 8);
        else if (spec.bitDepth === 8) row[bit / 8] = sample;
        else row[bit >> 3] |= sample << (8 - spec.bitDepth - (bit & 7));
        bit += spec.bitDepth;
      }
    }
    rows.push(row);
  }
  return rows;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** The seven passes' filtered scanlines, one after another (empty passes have none). */
export function interlacedScanlines(spec: PngSpec): Buffer {
  const passes: Buffer[] = [];
  for (const [x0, y0, dx, dy] of ADAM7) {
    const width = spec.width > x0 ? Math.ceil((spec.width - x0) / dx) : 0;
    const height = spec.height > y0 ? Math.ceil((spec.height - y0) / dy) : 0;
    if (width === 0 || height === 0) continue;
    passes.push(filteredScanlines({ ...spec, width, height, samples: (x, y) => spec.samples(x0 + x * dx, y0 + y * dy) }));
  }
  return Buffer.concat(passes);
}

/** Row y is filtered with type y mod 5, so every image exercises all five filters. */
export function filteredScanlines(spec: PngSpec): Buffer {
  const bpp = Math.max(1, (CHANNELS[spec.colourType] * spec.bitDepth) >> 3);
  const rows = packedRows(spec);
  const out: Buffer[] = [];
  rows.forEach((row, y) => {
    const prev = y > 0 ? rows[y - 1] : Buffer.alloc(row.length);
    const filter = y % 5;
    const line = Buffer.alloc(row.length + 1);
    line[0] = filter;
    for (let i = 0; i < row.length; i++) {
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      line[i + 1] = (row[i] - predictor) & 0xff;
    }
    out.push(line);
  });
  return Buffer.concat(out);
}

export function ihdr(width: number, height: number, bitDepth: number, colourType: number, interlace = 0): Buffer {
  const body = Buffer.alloc(13);
  body.writeUInt32BE(width, 0);
  body.writeUInt32BE(height, 4);
  body[8] = bitDepth;
  body[9] = colourType;
  body[12] = interlace;
  return pngChunk("IHDR", body);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG of `spec` whose zlib stream is `idat` (default: the filtered scanlines), split into IDAT chunks of `idatChunkBytes`. */
export function pngOf(
  spec: PngSpec,
  options: { idat?: Buffer; idatChunkBytes?: number; height?: number; interlaced?: boolean } = {},
): Buffer {
  const stream = options.idat ?? zlib.deflateSync(options.interlaced ? interlacedScanlines(spec) : filteredScanlines(spec));
  const size = options.idatChunkBytes ?? 8192;
  const idat: Buffer[] = [];
  for (let at = 0; at < stream.length; at += size) idat.push(pngChunk("IDAT", stream.subarray(at, at + size)));
  const chunks = [SIGNATURE, ihdr(spec.width, options.height ?? spec.height, spec.bitDepth, spec.colourType, options.interlaced ? 1 : 0)];
  if (spec.palette) chunks.push(pngChunk("PLTE", Buffer.from(spec.palette.flat())));
  if (spec.transparency) {
    const body =
      spec.colourType === 3 ? Buffer.from(spec.transparency) : Buffer.concat(spec.transparency.map((v) => Buffer.from([v >> 8, v & 0xff])));
    chunks.push(pngChunk("tRNS", body));
  }
  return Buffer.concat([...chunks, ...idat, pngChunk("IEND", Buffer.alloc(0))]);
}
