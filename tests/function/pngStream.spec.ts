/**
 * The streaming PNG decoder (function/src/core/png/) against the full-size path it replaces
 * (pngjs decode, then jimp's box resize), on PNGs written byte by byte: every colour type at
 * every bit depth, tRNS, all five row filters, odd widths; and on damaged files.
 */
import * as assert from "assert";
import * as zlib from "zlib";
import { readPngChunks } from "../../function/src/core/png/chunks";
import { shrinkPng } from "../../function/src/core/png/streamDecoder";
import { decodeBitmap } from "../../function/src/core/decoders";
import { readHeader } from "../../function/src/core/imageHeader";
import { Jimp } from "../../function/src/core/jimp";
import { PermanentError } from "../../function/src/core/errors";
import { FailureReason } from "../../contract/failureReasons";
import type { Bitmap } from "../../function/src/core/orientation";
import { pngOf, type PngSpec } from "./support/pngBytes";
import { interlacedPng, pngChunk } from "./support/images";
import { makeThumbnails } from "../../function/src/core/thumbnailer";

const WIDTH = 203;
const HEIGHT = 157;

function fullDecodeResized(bytes: Buffer, width: number, height: number): Bitmap {
  const full = decodeBitmap(bytes, readHeader(bytes), { minWidth: 1, minHeight: 1, maxPixels: 1e8 });
  if (full.width === width && full.height === height) return full;
  const image = new Jimp({ width: full.width, height: full.height, data: Buffer.from(full.data) });
  image.resize({ w: width, h: height });
  return image.bitmap;
}

async function streamed(bytes: Buffer, width: number, height: number) {
  return shrinkPng(readPngChunks(bytes), width, height);
}

function difference(a: Bitmap, b: Bitmap): { max: number; psnr: number } {
  assert.deepStrictEqual([a.width, a.height], [b.width, b.height]);
  let max = 0;
  let squares = 0;
  for (let i = 0; i < a.width * a.height * 4; i++) {
    const d = a.data[i] - b.data[i];
    max = Math.max(max, Math.abs(d));
    squares += d * d;
  }
  return { max, psnr: squares === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.width * a.height * 4) / squares) };
}

/** Gradients, hard edges and a hash so every filter and every sample value gets used. */
function texture(x: number, y: number, channel: number, max: number): number {
  const hash = ((x * 73856093) ^ (y * 19349663) ^ (channel * 83492791)) >>> 0;
  const smooth = ((x * (channel + 1) + y * 2) / (WIDTH + HEIGHT)) * max;
  return Math.min(max, Math.round(x % 40 < 20 ? smooth : hash % (max + 1)));
}

function specFor(colourType: PngSpec["colourType"], bitDepth: PngSpec["bitDepth"], transparency = false): PngSpec {
  const max = 2 ** bitDepth - 1;
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colourType];
  const spec: PngSpec = {
    width: WIDTH,
    height: HEIGHT,
    colourType,
    bitDepth,
    samples: (x, y) =>
      Array.from({ length: channels }, (_, c) => {
        // Alpha channels: a transparent band, a half-transparent band, the rest textured.
        if ((colourType === 4 && c === 1) || (colourType === 6 && c === 3)) return y < 20 ? 0 : y < 40 ? max >> 1 : texture(x, y, c, max);
        return texture(x, y, c, max);
      }),
  };
  if (colourType === 3) {
    const entries = 2 ** bitDepth;
    spec.palette = Array.from({ length: entries }, (_, i) => [(i * 37) & 255, (i * 91) & 255, 255 - i] as [number, number, number]);
    if (transparency) spec.transparency = Array.from({ length: Math.min(entries, 5) }, (_, i) => i * 60);
  } else if (transparency) {
    spec.transparency = Array.from({ length: channels }, (_, c) => texture(5, 5, c, max)); // the colour of pixel (5, 5)
  }
  return spec;
}

const CASES: [PngSpec["colourType"], PngSpec["bitDepth"], boolean][] = [
  ...([1, 2, 4, 8, 16] as const).flatMap(
    (d) =>
      [
        [0, d, false],
        [0, d, true],
      ] as [0, typeof d, boolean][],
  ),
  [2, 8, false],
  [2, 8, true],
  [2, 16, false],
  [2, 16, true],
  ...([1, 2, 4, 8] as const).flatMap(
    (d) =>
      [
        [3, d, false],
        [3, d, true],
      ] as [3, typeof d, boolean][],
  ),
  [4, 8, false],
  [4, 16, false],
  [6, 8, false],
  [6, 16, false],
];
const NAMES = { 0: "grey", 2: "RGB", 3: "palette", 4: "grey+alpha", 6: "RGBA" };

async function rejectsWith(promise: Promise<unknown>, message: RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof PermanentError, `expected a PermanentError, got ${err}`);
    assert.strictEqual(err.reason, FailureReason.CorruptImage, err.message);
    assert.match(err.message, message);
    return true;
  });
}

describe("PNG streaming decoder", () => {
  describe("matches the full-size decode and box resize", () => {
    for (const [colourType, bitDepth, transparency] of CASES) {
      const name = `${NAMES[colourType]} at ${bitDepth} bits${transparency ? " with tRNS" : ""}`;
      it(`${name}: identical at full size, within one level of jimp's resize when shrunk, interlaced or not`, async () => {
        for (const interlaced of [false, true]) await matchesFullDecode(pngOf(specFor(colourType, bitDepth, transparency), { interlaced }));
      });
    }

    async function matchesFullDecode(bytes: Buffer) {
      {
        const same = difference(await streamed(bytes, WIDTH, HEIGHT), fullDecodeResized(bytes, WIDTH, HEIGHT));
        assert.strictEqual(same.max, 0, `full size: pixels differ from pngjs's by up to ${same.max}`);
        for (const [w, h] of [
          [61, 47],
          [101, 78],
          [1, 1],
        ]) {
          const shrunk = difference(await streamed(bytes, w, h), fullDecodeResized(bytes, w, h));
          assert.ok(shrunk.max <= 1 && shrunk.psnr > 50, `${w}×${h}: max difference ${shrunk.max}, PSNR ${shrunk.psnr.toFixed(1)} dB`);
        }
      }
    }

    it("interlaced: shapes whose first passes are empty (1×1, 3×2, 9×1) match too", async () => {
      for (const [width, height] of [
        [1, 1],
        [3, 2],
        [9, 1],
      ]) {
        const spec = { ...specFor(6, 8), width, height };
        const bytes = pngOf(spec, { interlaced: true });
        const same = difference(await streamed(bytes, width, height), fullDecodeResized(bytes, width, height));
        assert.strictEqual(same.max, 0, `${width}×${height}`);
      }
    });

    it("does not depend on how the zlib stream is split into IDAT chunks", async () => {
      const spec = specFor(6, 8);
      const one = await streamed(pngOf(spec, { idatChunkBytes: 1 << 30 }), 50, 40);
      const many = await streamed(pngOf(spec, { idatChunkBytes: 7 }), 50, 40);
      assert.ok(one.data.equals(many.data));
    });
  });

  describe("transparency", () => {
    const opaqueRgba = (alphaAt: (x: number, y: number) => number): PngSpec => ({
      width: 400,
      height: 300,
      colourType: 6,
      bitDepth: 8,
      samples: (x, y) => [x & 255, y & 255, 9, alphaAt(x, y)],
    });

    it("reports one barely transparent pixel that averaging hides", async () => {
      const shrunk = await streamed(pngOf(opaqueRgba((x, y) => (x === 7 && y === 9 ? 254 : 255))), 40, 30);
      assert.ok(
        shrunk.data.every((v, i) => i % 4 !== 3 || v === 255),
        "the shrunk alpha is all opaque",
      );
      assert.strictEqual(shrunk.transparent, true);
    });

    it("reports an RGBA image whose pixels are all opaque as not transparent", async () => {
      assert.strictEqual((await streamed(pngOf(opaqueRgba(() => 255)), 40, 30)).transparent, false);
    });
  });

  describe("damaged files end as CorruptImage", () => {
    const spec = specFor(2, 8);
    const good = pngOf(spec, { idatChunkBytes: 4096 });
    const idatAt = good.indexOf("IDAT") - 4;

    it("refuses a file cut inside its image data, naming the truncation", async () => {
      await rejectsWith((async () => streamed(good.subarray(0, idatAt + 2000), 50, 40))(), /ends at byte 2\d{3}.*\(truncated\)/);
    });

    it("refuses a file cut after its image data but before IEND", async () => {
      await rejectsWith((async () => streamed(good.subarray(0, good.length - 12), 50, 40))(), /before IEND \(truncated\)/);
    });

    it("refuses a chunk whose CRC does not match its bytes", async () => {
      const damaged = Buffer.from(good);
      damaged[idatAt + 100] ^= 0x40;
      await rejectsWith(
        (async () => streamed(damaged, 50, 40))(),
        /chunk IDAT at byte \d+ has CRC 0x[0-9a-f]{8} but its bytes give 0x[0-9a-f]{8}/,
      );
    });

    it("refuses image data that is not a zlib stream", async () => {
      const garbage = pngOf(spec, { idat: Buffer.from("this is not deflate data at all, not even close") });
      await rejectsWith(streamed(garbage, 50, 40), /not a valid zlib stream: incorrect header check/);
    });

    it("refuses a zlib stream that stops early", async () => {
      const stream = zlib.deflateSync(Buffer.alloc(HEIGHT * (1 + WIDTH * 3)));
      await rejectsWith(
        streamed(pngOf(spec, { idat: stream.subarray(0, stream.length - 6) }), 50, 40),
        /not a valid zlib stream: unexpected end of file/,
      );
    });

    it("stops an inflate bomb at what the header allows", async () => {
      const bomb = pngOf(
        { ...spec, width: 100, height: 100, colourType: 0 },
        { idat: zlib.deflateSync(Buffer.alloc(64 * 2 ** 20), { level: 9 }) },
      );
      await rejectsWith(streamed(bomb, 10, 10), /inflates to more than 10100 bytes, all that a 100×100 image at 8 bits a pixel holds/);
    });

    it("refuses a header that declares more rows than the data holds", async () => {
      await rejectsWith(streamed(pngOf(spec, { height: HEIGHT + 1 }), 50, 40), /inflates to \d+ bytes, fewer than the \d+ a 203×158 image/);
    });

    it("refuses a row with an unknown filter type", async () => {
      const lines = Buffer.alloc(HEIGHT * (1 + WIDTH * 3));
      lines[3 * (1 + WIDTH * 3)] = 5;
      await rejectsWith(streamed(pngOf(spec, { idat: zlib.deflateSync(lines) }), 50, 40), /scanline 3 has filter type 5 \(0–4 allowed\)/);
    });

    it("refuses a palette index past the end of the palette", async () => {
      const small = { ...specFor(3, 4), palette: [[1, 2, 3]] as [number, number, number][] };
      await rejectsWith(streamed(pngOf(small), 50, 40), /pixel \(\d+, 0\) uses palette index \d+ but the palette has 1 colours/);
    });

    it("refuses an unknown critical chunk and a bit depth its colour type does not allow", async () => {
      const unknown = Buffer.concat([good.subarray(0, 33), pngChunk("QUUX", Buffer.alloc(4)), good.subarray(33)]);
      await rejectsWith((async () => streamed(unknown, 50, 40))(), /unknown critical chunk "QUUX"/);
      await rejectsWith((async () => streamed(pngOf({ ...spec, bitDepth: 4 }), 50, 40))(), /bit depth 4 is not allowed for colour type 2/);
    });
  });

  describe("in the thumbnailer", () => {
    const OPTIONS = { sizes: [64, 16], jpegQuality: 80, maxPixels: 1e8 };

    it("shrinks PNGs on load, interlaced or not", async () => {
      const streamedResult = await makeThumbnails(pngOf(specFor(2, 8)), OPTIONS);
      assert.deepStrictEqual([streamedResult.facts.decodedWidth, streamedResult.facts.decodedHeight], [64, 49]);
      assert.deepStrictEqual(
        streamedResult.thumbnails.map((t) => [t.width, t.height]),
        [
          [64, 49],
          [16, 12],
        ],
      );
      const interlaced = await makeThumbnails(
        interlacedPng(WIDTH, HEIGHT, (x, y) => [x & 255, y & 255, 0]),
        OPTIONS,
      );
      assert.deepStrictEqual([interlaced.facts.decodedWidth, interlaced.facts.decodedHeight], [64, 49]);
    });

    it("keeps a PNG thumbnail for an image with one barely transparent pixel", async () => {
      const spec: PngSpec = {
        width: 640,
        height: 480,
        colourType: 6,
        bitDepth: 8,
        samples: (x, y) => [x & 255, y & 255, 0, x + y === 0 ? 254 : 255],
      };
      const result = await makeThumbnails(pngOf(spec), OPTIONS);
      assert.strictEqual(result.facts.hasAlpha, true);
      assert.strictEqual(result.thumbnails[0].format, "png");
    });

    it("records an inflate bomb as CorruptImage", async () => {
      const bomb = pngOf(
        { ...specFor(0, 8), width: 100, height: 100 },
        { idat: zlib.deflateSync(Buffer.alloc(64 * 2 ** 20), { level: 9 }) },
      );
      await rejectsWith(makeThumbnails(bomb, OPTIONS), /inflates to more than 10100 bytes/);
    });
  });
});
