import { strict as assert } from "assert";
import * as zlib from "zlib";
import sharp from "sharp";
import { GifReader } from "omggif";
import { FailureReason } from "../../contract/failureReasons";
import { decodeBitmap } from "../../function/src/core/decoders";
import { readHeader } from "../../function/src/core/imageHeader";
import { decodeGif } from "../../function/src/core/gifDecoder";
import { adam7InflatedSize } from "../../function/src/core/pngLimits";
import { MAX_JPEG_SCANS } from "../../function/src/core/jpegDecoder";
import { countJpegScans } from "../../function/src/core/jpeg/header";
import type { ThumbnailOptions } from "../../function/src/core/thumbnailer";
import { bmpBomb, interlacedPng, jpegBomb, pngChunk, solid } from "./support/images";
import {
  deflateTiff,
  gifOf,
  gifWithSelfReferentialLzwCode,
  greyEntries,
  jpegInTiff,
  tiffLzw,
  tiffOf,
  utif2LzwHangStrips,
  type GifFrame,
  type TiffEntry,
} from "./support/hostileImages";
import { stopDeadlineWorker, thumbnailsWithin, type Outcome } from "./support/withDeadline";

const OPTIONS: ThumbnailOptions = { sizes: [64], jpegQuality: 80, maxPixels: 50_000_000 };
/** Hang detection only: every input here is refused in milliseconds once fixed. */
const DEADLINE_MS = 10_000;

async function outcomeOf(bytes: Uint8Array): Promise<Outcome> {
  return thumbnailsWithin(DEADLINE_MS, bytes, OPTIONS);
}

function assertRefused(outcome: Outcome, reason: FailureReason, message: RegExp): void {
  assert.ok(!outcome.ok, `expected a refusal, but ${JSON.stringify(outcome)}`);
  assert.equal(outcome.name, "PermanentError", outcome.message);
  assert.equal(outcome.reason, reason, outcome.message);
  assert.match(outcome.message, message);
}

function assertThumbnails(outcome: Outcome): void {
  assert.ok(outcome.ok, `expected thumbnails, got ${JSON.stringify(outcome)}`);
}

/** A grey ramp palette: index i is (i, 255 − i, i / 2). */
const PALETTE = Array.from({ length: 256 }, (_, i) => [i, 255 - i, i >> 1]).flat();

function omggifRgba(bytes: Buffer): Uint8Array {
  const reader = new GifReader(bytes);
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  reader.decodeAndBlitFrameRGBA(0, rgba);
  return rgba;
}

function interlacedOrder(rows: number[][]): number[] {
  const order: number[] = [];
  for (const [start, step] of [
    [0, 8],
    [4, 8],
    [2, 4],
    [1, 2],
  ])
    for (let y = start; y < rows.length; y += step) order.push(...rows[y]);
  return order;
}

/** The JPEG with its last scan repeated until it has `scans` scans (decoders re-walk the image for each). */
function withRepeatedLastScan(progressive: Buffer, scans: number): Buffer {
  const lastScan = progressive.lastIndexOf(Buffer.from([0xff, 0xda]));
  const scan = progressive.subarray(lastScan, progressive.length - 2);
  const extra = scans - countJpegScans(progressive);
  return Buffer.concat([
    progressive.subarray(0, progressive.length - 2),
    ...Array.from({ length: extra }, () => scan),
    Buffer.from([0xff, 0xd9]),
  ]);
}

describe("decoder hazards: hostile files end as clear failures, quickly", function () {
  this.timeout(60_000);

  before(async () => {
    // Loads ts-node and the decoders in the worker once, outside any test's deadline.
    await thumbnailsWithin(60_000, Buffer.alloc(0), OPTIONS);
  });
  after(stopDeadlineWorker);

  describe("GIF", () => {
    it("refuses an LZW code beyond the code table instead of following it (omggif looped forever)", async () => {
      assertRefused(
        await outcomeOf(gifWithSelfReferentialLzwCode()),
        FailureReason.CorruptImage,
        /LZW code 7 is not in the table \(next free code 6\)/,
      );
    });

    it("decodes the first frame exactly as omggif did: palettes, transparency, interlace, offset", () => {
      const rows = Array.from({ length: 11 }, (_, y) => Array.from({ length: 7 }, (_, x) => (x * 31 + y * 17) % 256));
      const frames: [string, number, number, GifFrame][] = [
        ["global palette", 7, 11, { width: 7, height: 11, indices: rows.flat() }],
        ["transparent index", 7, 11, { width: 7, height: 11, indices: rows.flat(), transparentIndex: rows[3][2] }],
        ["interlaced", 7, 11, { width: 7, height: 11, indices: interlacedOrder(rows), interlaced: true }],
        ["local palette", 7, 11, { width: 7, height: 11, indices: rows.flat(), localPalette: [...PALETTE].reverse() }],
        ["offset frame on a larger screen", 12, 15, { width: 7, height: 11, x: 3, y: 2, indices: rows.flat() }],
        [
          "more than 254 pixels (several clear codes)",
          40,
          30,
          { width: 40, height: 30, indices: Array.from({ length: 1200 }, (_, i) => (i * 7) % 256) },
        ],
      ];
      for (const [name, screenWidth, screenHeight, frame] of frames) {
        const bytes = gifOf(screenWidth, screenHeight, PALETTE, [frame]);
        const ours = decodeGif(bytes, OPTIONS.maxPixels);
        assert.deepEqual([ours.width, ours.height], [screenWidth, screenHeight], name);
        assert.ok(Buffer.from(omggifRgba(bytes)).equals(ours.data), `${name}: pixels differ from omggif's`);
      }
    });

    it("decodes what jimp writes exactly as omggif did", async () => {
      const bytes = await solid(33, 17, "image/gif", 0x336699ff);
      assert.ok(Buffer.from(omggifRgba(bytes)).equals(decodeGif(bytes, OPTIONS.maxPixels).data));
    });

    it("reads nothing after the first frame: later frames and trailing bytes cost nothing", async () => {
      const frame: GifFrame = { width: 8, height: 8, indices: Array(64).fill(9) };
      const bytes = gifOf(8, 8, PALETTE, [frame, { ...frame, width: 60000, height: 60000 }], Buffer.alloc(64 * 1024, 0x21));
      assertThumbnails(await outcomeOf(bytes));
    });
  });

  describe("TIFF", () => {
    const pixels = Buffer.alloc(16 * 16, 0x80);

    it("refuses an IFD whose next-IFD offset points back to itself (utif2 looped forever)", async () => {
      const bytes = tiffOf(greyEntries(16, 16), [pixels], "self");
      assertRefused(await outcomeOf(bytes), FailureReason.CorruptImage, /IFD at byte \d+ points back to itself \(a cycle\)/);
    });

    it("refuses a tag whose count reaches past the end of the file (utif2 read a billion values)", async () => {
      const bytes = tiffOf(greyEntries(16, 16), [pixels]);
      const entry = bytes.indexOf(Buffer.from([0x02, 0x01, 0x03, 0x00])); // BitsPerSample, SHORT
      bytes.writeUInt32LE(0x40000000, entry + 4);
      assertRefused(
        await outcomeOf(bytes),
        FailureReason.CorruptImage,
        /tag 258 .* 1073741824 values of 2 bytes .* past the end of the file/,
      );
    });

    it("refuses a 16×16 image whose JPEG strip is 16000×16000, before decoding it", async () => {
      assertRefused(
        await outcomeOf(jpegInTiff(16, 16, jpegBomb(16000, 16000))),
        FailureReason.TooManyPixels,
        /strip 0 holds a 16000×16000 JPEG/,
      );
    });

    it("refuses a JPEG strip larger than the strip its IFD declares", async () => {
      const jpeg = await solid(64, 64, "image/jpeg");
      assertRefused(
        await outcomeOf(jpegInTiff(16, 16, jpeg)),
        FailureReason.CorruptImage,
        /strip 0 holds a 64×64 JPEG, larger than the 16×16 the IFD declares/,
      );
    });

    it("decodes a JPEG-compressed TIFF whose strip matches its IFD", async () => {
      assertThumbnails(await outcomeOf(jpegInTiff(32, 32, await solid(32, 32, "image/jpeg"))));
    });

    it("refuses a corrupt LZW strip instead of following its table into a cycle (utif2 looped forever)", async () => {
      const { strips, byteCounts } = utif2LzwHangStrips();
      const entries = [...greyEntries(32, 15, 5).filter(([tag]) => tag !== 278), [278, 4, [1]], [279, 4, byteCounts]] as TiffEntry[];
      const bytes = tiffOf(entries, strips);
      assertRefused(await outcomeOf(bytes), FailureReason.CorruptImage, /strip \d+ is invalid: LZW code \d+ is not in the table/);
    });

    it("decodes LZW strips, with and without the horizontal predictor, to the pixels of the uncompressed twin", () => {
      const width = 40;
      const height = 37;
      const grey = Buffer.from(
        Array.from({ length: width * height }, (_, i) => ((i % width) * 5 + Math.floor(i / width) * 3 + (i % 7 === 0 ? 90 : 0)) & 0xff),
      );
      const rowsPerStrip = 16;
      const strips = (rows: Buffer) =>
        Array.from({ length: Math.ceil(height / rowsPerStrip) }, (_, s) =>
          rows.subarray(s * rowsPerStrip * width, (s + 1) * rowsPerStrip * width),
        );
      const differenced = Buffer.from(grey.map((value, i) => (i % width === 0 ? value : (value - grey[i - 1]) & 0xff)));
      const entries = (compression: number, predictor: number) =>
        [
          ...greyEntries(width, height, compression).filter(([tag]) => tag !== 278),
          [278, 4, [rowsPerStrip]],
          [317, 3, [predictor]],
        ] as TiffEntry[];
      const decode = (bytes: Buffer) => decodeBitmap(bytes, readHeader(bytes), { minWidth: 1, minHeight: 1, maxPixels: OPTIONS.maxPixels });
      const plain = decode(tiffOf(entries(1, 1), strips(grey)));
      assert.equal(plain.data[4 * (width + 1)], grey[width + 1], "the uncompressed twin decodes to its grey values");
      for (const [name, bytes] of [
        ["LZW", tiffOf(entries(5, 1), strips(grey).map(tiffLzw))],
        ["LZW with horizontal differencing", tiffOf(entries(5, 2), strips(differenced).map(tiffLzw))],
      ] as const) {
        assert.ok(decode(bytes).data.equals(plain.data), `${name}: pixels differ from the uncompressed twin`);
      }
    });

    it("refuses old-style JPEG compression (6) as unsupported", async () => {
      assertRefused(
        await outcomeOf(tiffOf(greyEntries(16, 16, 6), [pixels])),
        FailureReason.UnsupportedFormat,
        /compression 6 \(old-style JPEG/,
      );
    });

    it("refuses a Deflate strip that inflates past the bytes its rows hold", async () => {
      assertRefused(
        await outcomeOf(deflateTiff(16, 16, 16 * 1024 * 1024)),
        FailureReason.CorruptImage,
        /strip 0 inflates to more than the 256 bytes/,
      );
    });

    it("still decodes a Deflate strip that inflates to exactly its rows", async () => {
      assertThumbnails(await outcomeOf(deflateTiff(16, 16, 256)));
    });

    it("refuses strips that overlap so the file would be decoded many times over", async () => {
      const entries = greyEntries(64, 64).filter(([tag]) => tag !== 278);
      const strip = Buffer.alloc(64 * 64, 0x40);
      const bytes = tiffOf([...entries, [278, 4, [1]], [273, 4, Array(64).fill(8)], [279, 4, Array(64).fill(strip.length)]], [strip]);
      assertRefused(await outcomeOf(bytes), FailureReason.CorruptImage, /byte counts add up to 262144, more than the file's \d+ bytes/);
    });

    it("refuses tiles that are not multiples of 16 pixels (1×1 tiles would loop per pixel)", async () => {
      const entries = greyEntries(16, 16).filter(([tag]) => tag !== 278);
      const tiles = Buffer.alloc(256, 0x40);
      const bytes = tiffOf(
        [...entries, [322, 3, [1]], [323, 3, [1]], [324, 4, Array.from({ length: 256 }, (_, i) => 8 + i)], [325, 4, Array(256).fill(1)]],
        [tiles],
      );
      assertRefused(
        await outcomeOf(bytes),
        FailureReason.CorruptImage,
        /tile size 1×1; tile width and length must be positive multiples of 16/,
      );
    });
  });

  describe("PNG", () => {
    it("refuses a 1×1 interlaced PNG whose data inflates to megabytes, naming what the header allows", async () => {
      const bomb = Buffer.from(interlacedPng(1, 1, () => [1, 2, 3]));
      const idat = bomb.indexOf("IDAT") - 4;
      const chunk = pngChunk("IDAT", zlib.deflateSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 }));
      const bytes = Buffer.concat([bomb.subarray(0, idat), chunk, bomb.subarray(bomb.indexOf("IEND") - 4)]);
      assertRefused(
        await outcomeOf(bytes),
        FailureReason.CorruptImage,
        /inflates to more than 4 bytes, all that a 1×1 image at 24 bits a pixel holds/,
      );
    });

    it("refuses a PNG with no IDAT chunk (pngjs decoded uninitialised memory, sometimes into a picture)", async () => {
      const withoutImageData = (png: Buffer) =>
        Buffer.concat([png.subarray(0, png.indexOf("IDAT") - 4), png.subarray(png.indexOf("IEND") - 4)]);
      for (const png of [interlacedPng(32, 32, () => [9, 9, 9]), await solid(32, 32, "image/png")]) {
        assertRefused(await outcomeOf(withoutImageData(png)), FailureReason.CorruptImage, /no IDAT chunk \(no image data\)/);
      }
    });

    it("computes the inflated size of the seven Adam7 passes as an encoder writes them", () => {
      for (const [width, height] of [
        [1, 1],
        [3, 5],
        [8, 8],
        [9, 17],
        [33, 2],
        [600, 300],
      ]) {
        const png = interlacedPng(width, height, (x, y) => [x % 256, y % 256, 7]);
        const idatStart = png.indexOf("IDAT") + 4;
        const idatLength = png.readUInt32BE(idatStart - 8);
        const inflated = zlib.inflateSync(png.subarray(idatStart, idatStart + idatLength));
        assert.equal(adam7InflatedSize(width, height, 24), inflated.length, `${width}×${height}`);
      }
    });
  });

  describe("JPEG", () => {
    it("refuses a 2.25 MP progressive JPEG of 480 scans, within the scan count but not the scans × megapixels budget", async () => {
      const progressive = await sharp({ create: { width: 1500, height: 1500, channels: 3, background: { r: 90, g: 120, b: 200 } } })
        .jpeg({ progressive: true })
        .toBuffer();
      const bomb = withRepeatedLastScan(progressive, 480);
      assertRefused(
        await outcomeOf(bomb),
        FailureReason.TooComplex,
        /480 scans over 2\.3 megapixels, more than the 444 scans allowed at that size/,
      );
    });

    it("still decodes a 2.25 MP progressive JPEG as its encoder wrote it", async () => {
      const progressive = await sharp({ create: { width: 1500, height: 1500, channels: 3, background: { r: 90, g: 120, b: 200 } } })
        .jpeg({ progressive: true })
        .toBuffer();
      assertThumbnails(await outcomeOf(progressive));
    });

    it("records a JPEG with more scans than the limit as TooComplex, not CorruptImage", async () => {
      const progressive = await sharp(Buffer.alloc(64 * 48 * 3, 90), { raw: { width: 64, height: 48, channels: 3 } })
        .jpeg({ progressive: true })
        .toBuffer();
      const bomb = withRepeatedLastScan(progressive, MAX_JPEG_SCANS + 1);
      assertRefused(await outcomeOf(bomb), FailureReason.TooComplex, /501 scans, more than the limit of 500/);
    });
  });

  describe("BMP", () => {
    it("refuses a BMP whose palette claims 4 billion colours, quickly", async () => {
      const bytes = bmpBomb(4, 4);
      bytes.writeUInt16LE(8, 28); // 8 bits a pixel: palette follows the header
      bytes.writeUInt32LE(0xffffffff, 46); // colours used
      assertRefused(await outcomeOf(bytes), FailureReason.CorruptImage, /BMP data cannot be decoded/);
    });
  });
});
