/**
 * Striped TIFFs decoded strip by strip into the box shrinker (function/src/core/tiffStrips.ts)
 * against the full-size path (utif2 over the whole page, then jimp's box resize), on TIFFs
 * written here: grey, RGB and RGBA, 8 and 16 bits, every strip codec, with and without the
 * horizontal predictor, a short last strip.
 */
import * as assert from "assert";
import * as zlib from "zlib";
import { decodeBitmap, decodeForThumbnail } from "../../function/src/core/decoders";
import { readHeader } from "../../function/src/core/imageHeader";
import { Jimp } from "../../function/src/core/jimp";
import type { Bitmap } from "../../function/src/core/orientation";
import { tiffLzw, tiffOf, type TiffEntry } from "./support/hostileImages";

const WIDTH = 97;
const HEIGHT = 61;
const ROWS_PER_STRIP = 8; // 61 rows: seven full strips and a short one

interface Kind {
  name: string;
  samples: number;
  bits: 8 | 16;
  photometric: number;
  extraSamples?: number;
}

const KINDS: Kind[] = [
  { name: "grey", samples: 1, bits: 8, photometric: 1 },
  { name: "16-bit grey", samples: 1, bits: 16, photometric: 1 },
  { name: "RGB", samples: 3, bits: 8, photometric: 2 },
  { name: "RGBA", samples: 4, bits: 8, photometric: 2, extraSamples: 2 },
];

/** Little-endian rows of samples: gradients and a hash, alpha with a transparent band. */
function rows(kind: Kind): Buffer {
  const bytesPerSample = kind.bits / 8;
  const out = Buffer.alloc(WIDTH * HEIGHT * kind.samples * bytesPerSample);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      for (let c = 0; c < kind.samples; c++) {
        const max = 2 ** kind.bits - 1;
        const hash = ((x * 73856093) ^ (y * 19349663) ^ (c * 83492791)) >>> 0;
        let v = x % 30 < 15 ? Math.round(((x + y * (c + 1)) / (WIDTH + 3 * HEIGHT)) * max) : hash % (max + 1);
        if (c === 3) v = y < 10 ? 0 : v;
        const at = ((y * WIDTH + x) * kind.samples + c) * bytesPerSample;
        if (bytesPerSample === 2) out.writeUInt16LE(v, at);
        else out[at] = v;
      }
    }
  }
  return out;
}

/** Horizontal differencing (predictor 2), sample by sample within each row. */
function differenced(data: Buffer, kind: Kind): Buffer {
  const out = Buffer.from(data);
  const rowBytes = WIDTH * kind.samples * (kind.bits / 8);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = WIDTH - 1; x >= 1; x--) {
      for (let c = 0; c < kind.samples; c++) {
        const i = (x * kind.samples + c) * (kind.bits / 8) + y * rowBytes;
        const left = i - kind.samples * (kind.bits / 8);
        if (kind.bits === 16) out.writeUInt16LE((data.readUInt16LE(i) - data.readUInt16LE(left)) & 0xffff, i);
        else out[i] = (data[i] - data[left]) & 0xff;
      }
    }
  }
  return out;
}

/** PackBits as literal runs of up to 128 bytes. */
function packBits(data: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += 128) {
    const run = data.subarray(at, at + 128);
    out.push(Buffer.from([run.length - 1]), run);
  }
  return Buffer.concat(out);
}

const CODECS: [string, number, (strip: Buffer) => Buffer][] = [
  ["uncompressed", 1, (s) => s],
  ["LZW", 5, (s) => tiffLzw(s)],
  ["Deflate", 8, (s) => zlib.deflateSync(s)],
  ["PackBits", 32773, packBits],
];

function tiff(kind: Kind, compression: number, encode: (strip: Buffer) => Buffer, predictor: boolean): Buffer {
  const data = predictor ? differenced(rows(kind), kind) : rows(kind);
  const rowBytes = WIDTH * kind.samples * (kind.bits / 8);
  const strips: Buffer[] = [];
  for (let y = 0; y < HEIGHT; y += ROWS_PER_STRIP)
    strips.push(encode(data.subarray(y * rowBytes, Math.min(HEIGHT, y + ROWS_PER_STRIP) * rowBytes)));
  const entries: TiffEntry[] = [
    [256, 4, [WIDTH]],
    [257, 4, [HEIGHT]],
    [258, 3, Array(kind.samples).fill(kind.bits)],
    [259, 3, [compression]],
    [262, 3, [kind.photometric]],
    [277, 3, [kind.samples]],
    [278, 4, [ROWS_PER_STRIP]],
  ];
  if (predictor) entries.push([317, 3, [2]]);
  if (kind.extraSamples !== undefined) entries.push([338, 3, [kind.extraSamples]]);
  return tiffOf(entries, strips);
}

function fullDecodeResized(bytes: Buffer, width: number, height: number): Bitmap {
  const full = decodeBitmap(bytes, readHeader(bytes), { minWidth: 1, minHeight: 1, maxPixels: 1e8 });
  if (full.width === width && full.height === height) return full;
  const image = new Jimp({ width: full.width, height: full.height, data: Buffer.from(full.data) });
  image.resize({ w: width, h: height });
  return image.bitmap;
}

function maxDifference(a: Bitmap, b: Bitmap): number {
  assert.deepStrictEqual([a.width, a.height], [b.width, b.height]);
  let max = 0;
  for (let i = 0; i < a.width * a.height * 4; i++) max = Math.max(max, Math.abs(a.data[i] - b.data[i]));
  return max;
}

describe("TIFF strip-by-strip decoding", () => {
  for (const kind of KINDS) {
    for (const [codec, compression, encode] of CODECS) {
      for (const predictor of compression === 5 || compression === 8 ? [false, true] : [false]) {
        it(`${kind.name}, ${codec}${predictor ? " with the horizontal predictor" : ""}: identical at full size, within one level shrunk`, async () => {
          const bytes = tiff(kind, compression, encode, predictor);
          const header = readHeader(bytes);
          const same = await decodeForThumbnail(bytes, header, { minWidth: WIDTH, minHeight: HEIGHT, maxPixels: 1e8 });
          assert.strictEqual(maxDifference(same, fullDecodeResized(bytes, WIDTH, HEIGHT)), 0);
          assert.strictEqual(same.transparent, kind.extraSamples !== undefined);
          const shrunk = await decodeForThumbnail(bytes, header, { minWidth: 30, minHeight: 19, maxPixels: 1e8 });
          assert.deepStrictEqual([shrunk.width, shrunk.height], [30, 19], "decoded straight to the thumbnail's size");
          assert.ok(maxDifference(shrunk, fullDecodeResized(bytes, 30, 19)) <= 1);
        });
      }
    }
  }
});
