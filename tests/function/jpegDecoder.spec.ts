import { strict as assert } from "assert";
import * as jpeg from "jpeg-js";
import sharp from "sharp";
import {
  decodeJpeg,
  JpegCorruptError,
  JpegTooLargeError,
  JpegTooManyScansError,
  MAX_JPEG_SCANS,
  type DecodedBitmap,
} from "../../function/src/core/jpegDecoder";
import { encodeJpeg } from "../../function/src/core/jpeg/encoder";
import { countJpegScans, readJpegFrameSize } from "../../function/src/core/jpeg/header";
import { chooseDenominator, scaledDimension } from "../../function/src/core/jpeg/scale";

// Fixtures are made here, in memory: sharp (a devDependency) writes the progressive, greyscale
// and CMYK files libjpeg would; our own encoder writes restart intervals.

/** Smooth, photo-like RGB pixels with some mid-frequency texture. */
function photoRgb(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = 128 + 90 * Math.sin(x / 37 + y / 53);
      data[i + 1] = 120 + 80 * Math.cos(y / 29) * Math.sin(x / 61);
      data[i + 2] = 110 + 70 * Math.sin((x + 2 * y) / 47);
    }
  }
  return data;
}

function rgbToRgba(rgb: Buffer): Buffer {
  const rgba = Buffer.alloc((rgb.length / 3) * 4, 255);
  for (let p = 0; p < rgb.length / 3; p++) rgb.copy(rgba, p * 4, p * 3, p * 3 + 3);
  return rgba;
}

async function jpegOf(
  width: number,
  height: number,
  options: sharp.JpegOptions = {},
  pipeline: (s: sharp.Sharp) => sharp.Sharp = (s) => s,
): Promise<Buffer> {
  return pipeline(sharp(photoRgb(width, height), { raw: { width, height, channels: 3 } }))
    .jpeg({ quality: 90, ...options })
    .toBuffer();
}

/** Box-averages an RGBA bitmap by `factor` (partial edge blocks average what they cover). */
function boxDownscale(bitmap: DecodedBitmap, factor: number): DecodedBitmap {
  const width = Math.ceil(bitmap.width / factor);
  const height = Math.ceil(bitmap.height / factor);
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sums = [0, 0, 0, 0];
      let count = 0;
      for (let sy = y * factor; sy < Math.min(bitmap.height, (y + 1) * factor); sy++) {
        for (let sx = x * factor; sx < Math.min(bitmap.width, (x + 1) * factor); sx++) {
          for (let k = 0; k < 4; k++) sums[k] += bitmap.data[(sy * bitmap.width + sx) * 4 + k];
          count++;
        }
      }
      for (let k = 0; k < 4; k++) data[(y * width + x) * 4 + k] = Math.round(sums[k] / count);
    }
  }
  return { width, height, data };
}

function psnrRgb(a: DecodedBitmap, b: DecodedBitmap): number {
  assert.equal(a.width, b.width, "widths differ");
  assert.equal(a.height, b.height, "heights differ");
  let squared = 0;
  for (let p = 0; p < a.width * a.height; p++) {
    for (let k = 0; k < 3; k++) {
      const d = a.data[p * 4 + k] - b.data[p * 4 + k];
      squared += d * d;
    }
  }
  const mse = squared / (a.width * a.height * 3);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

function fullDecode(bytes: Buffer): DecodedBitmap {
  const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { width: decoded.width, height: decoded.height, data: Buffer.from(decoded.data) };
}

const ROOMY = 100_000_000;

describe("JPEG decoder (DCT-scaled)", () => {
  describe("choosing the scale", () => {
    it("picks the smallest of 1/8, 1/4, 1/2, 1/1 that still covers the minimum size", () => {
      assert.equal(chooseDenominator(4000, 3000, 256, 192), 8);
      assert.equal(chooseDenominator(4000, 3000, 501, 192), 4);
      assert.equal(chooseDenominator(4000, 3000, 1001, 1), 2);
      assert.equal(chooseDenominator(4000, 3000, 2001, 1), 1);
      assert.equal(chooseDenominator(100, 100, 500, 500), 1, "never upscales: full size when even that is too small");
    });

    it("always covers the minimum size, for every shape and target tried", () => {
      const sizes = [1, 2, 7, 8, 9, 15, 16, 17, 255, 256, 257, 1000, 1001, 4031, 10000];
      for (const width of sizes) {
        for (const height of sizes) {
          for (const target of [1, 2, 16, 128, 256, 512]) {
            const scale = Math.min(1, target / width, target / height);
            const minWidth = Math.max(1, Math.round(width * scale));
            const minHeight = Math.max(1, Math.round(height * scale));
            const d = chooseDenominator(width, height, minWidth, minHeight);
            assert.ok(
              scaledDimension(width, d) >= minWidth && scaledDimension(height, d) >= minHeight,
              `${width}×${height} → ${minWidth}×${minHeight} at 1/${d}`,
            );
            if (d < 8) {
              const next = d * 2;
              assert.ok(
                scaledDimension(width, next) < minWidth || scaledDimension(height, next) < minHeight,
                `${width}×${height}: 1/${next} would also have covered ${minWidth}×${minHeight}`,
              );
            }
          }
        }
      }
    });

    it("returns a bitmap at least as large as asked, at the chosen scale", async () => {
      const bytes = await jpegOf(1001, 757);
      for (const [minWidth, minHeight, expected] of [
        [100, 60, [126, 95]],
        [126, 95, [126, 95]],
        [127, 95, [251, 190]],
        [300, 200, [501, 379]],
        [900, 10, [1001, 757]],
      ] as const) {
        const bitmap = decodeJpeg(bytes, { minWidth, minHeight, maxPixels: ROOMY });
        assert.deepEqual([bitmap.width, bitmap.height], expected, `min ${minWidth}×${minHeight}`);
        assert.equal(bitmap.data.length, bitmap.width * bitmap.height * 4);
        assert.equal(bitmap.decoder, "libjpeg-turbo");
      }
    });
  });

  describe("pixels", () => {
    for (const factor of [8, 4, 2]) {
      it(`a 1/${factor} decode matches a full decode box-averaged by ${factor} (4:2:0, odd size)`, async () => {
        const bytes = await jpegOf(1003, 611);
        const scaled = decodeJpeg(bytes, { minWidth: Math.ceil(1003 / factor), minHeight: Math.ceil(611 / factor), maxPixels: ROOMY });
        assert.equal(scaled.denominator, factor);
        const reference = boxDownscale(fullDecode(bytes), factor);
        const quality = psnrRgb(scaled, reference);
        assert.ok(quality > 30, `PSNR ${quality.toFixed(2)} dB against the box-averaged full decode`);
      });
    }

    it("a full-scale decode matches jpeg-js pixel for pixel, give or take rounding", async () => {
      const bytes = await jpegOf(333, 129, { chromaSubsampling: "4:4:4" });
      const ours = decodeJpeg(bytes, { minWidth: 333, minHeight: 129, maxPixels: ROOMY });
      assert.ok(psnrRgb(ours, fullDecode(bytes)) > 40);
    });

    it("keeps colour: a red square stays red, every pixel opaque", async () => {
      const bytes = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 220, g: 30, b: 40 } } })
        .jpeg()
        .toBuffer();
      const bitmap = decodeJpeg(bytes, { minWidth: 8, minHeight: 8, maxPixels: ROOMY });
      assert.deepEqual([bitmap.width, bitmap.height], [8, 8]);
      for (let p = 0; p < 64; p++) {
        const [r, g, b, a] = bitmap.data.subarray(p * 4, p * 4 + 4);
        assert.ok(Math.abs(r - 220) < 8 && Math.abs(g - 30) < 8 && Math.abs(b - 40) < 8, `pixel ${p}: ${r},${g},${b}`);
        assert.equal(a, 255);
      }
    });
  });

  describe("kinds of JPEG", () => {
    it("decodes progressive JPEGs at reduced scale", async () => {
      const bytes = await jpegOf(800, 600, { progressive: true });
      const bitmap = decodeJpeg(bytes, { minWidth: 100, minHeight: 75, maxPixels: ROOMY });
      assert.deepEqual([bitmap.width, bitmap.height], [100, 75]);
      assert.ok(psnrRgb(bitmap, boxDownscale(fullDecode(bytes), 8)) > 30);
    });

    it("decodes greyscale (one-component) JPEGs to grey RGBA", async () => {
      const bytes = await jpegOf(640, 480, {}, (s) => s.toColourspace("b-w"));
      assert.equal((await sharp(bytes).metadata()).channels, 1, "fixture is a one-component JPEG");
      const bitmap = decodeJpeg(bytes, { minWidth: 80, minHeight: 60, maxPixels: ROOMY });
      assert.deepEqual([bitmap.width, bitmap.height], [80, 60]);
      for (let p = 0; p < 80 * 60; p++) {
        const [r, g, b, a] = bitmap.data.subarray(p * 4, p * 4 + 4);
        assert.ok(r === g && g === b && a === 255, `pixel ${p} is ${r},${g},${b},${a}`);
      }
      assert.ok(psnrRgb(bitmap, boxDownscale(fullDecode(bytes), 8)) > 30);
    });

    it("decodes CMYK JPEGs (Adobe, inverted) as jpeg-js (jimp) does, with the right hues", async () => {
      const patches = [
        { r: 210, g: 40, b: 50 },
        { r: 40, g: 180, b: 60 },
        { r: 30, g: 60, b: 200 },
        { r: 128, g: 128, b: 128 },
      ];
      for (const colour of patches) {
        const bytes = await sharp({ create: { width: 48, height: 32, channels: 3, background: colour } })
          .toColourspace("cmyk")
          .jpeg()
          .toBuffer();
        assert.equal((await sharp(bytes).metadata()).space, "cmyk", "fixture is a CMYK JPEG");
        const bitmap = decodeJpeg(bytes, { minWidth: 6, minHeight: 4, maxPixels: ROOMY });
        assert.deepEqual([bitmap.width, bitmap.height], [6, 4]);
        const ours = [...bitmap.data.subarray(0, 3)];
        // No ICC profile is applied (libvips would), so the reference is jimp's own decoder.
        const reference = [...fullDecode(bytes).data.subarray(0, 3)];
        ours.forEach((value, k) =>
          assert.ok(Math.abs(value - reference[k]) <= 3, `${JSON.stringify(colour)}: ${ours} vs jpeg-js ${reference}`),
        );
        const order = (rgb: number[]) => [0, 1, 2].sort((a, b) => rgb[b] - rgb[a])[0];
        if (colour.r !== colour.g)
          assert.equal(order(ours), order([colour.r, colour.g, colour.b]), `${JSON.stringify(colour)}: dominant channel of ${ours}`);
      }
    });

    it("decodes JPEGs with restart intervals, at every scale", () => {
      const width = 203;
      const height = 117;
      const rgba = rgbToRgba(photoRgb(width, height));
      for (const chromaSubsampling of ["4:4:4", "4:2:0"] as const) {
        const bytes = encodeJpeg({ width, height, data: rgba }, { quality: 90, chromaSubsampling, restartInterval: 3 });
        assert.ok(bytes.includes(Buffer.from([0xff, 0xdd])), "fixture has a DRI marker");
        assert.ok(bytes.includes(Buffer.from([0xff, 0xd7])), "fixture cycles through RST0–RST7");
        const full = fullDecode(bytes);
        for (const factor of [1, 2, 4, 8]) {
          const bitmap = decodeJpeg(bytes, {
            minWidth: Math.ceil(width / factor),
            minHeight: Math.ceil(height / factor),
            maxPixels: ROOMY,
          });
          assert.equal(bitmap.decoder, "libjpeg-turbo");
          assert.ok(psnrRgb(bitmap, boxDownscale(full, factor)) > 30, `${chromaSubsampling} at 1/${factor}`);
        }
      }
    });
  });

  describe("odd sizes", () => {
    for (const [width, height] of [
      [1, 1],
      [10000, 10],
      [10, 10000],
      [17, 9],
      [33, 65],
    ] as const) {
      it(`decodes ${width}×${height} and covers the minimum size`, async () => {
        const bytes = await jpegOf(width, height);
        const minWidth = Math.max(1, Math.round(width * Math.min(1, 256 / width, 256 / height)));
        const minHeight = Math.max(1, Math.round(height * Math.min(1, 256 / width, 256 / height)));
        const bitmap = decodeJpeg(bytes, { minWidth, minHeight, maxPixels: ROOMY });
        assert.ok(bitmap.width >= minWidth && bitmap.height >= minHeight, `${bitmap.width}×${bitmap.height} for ${minWidth}×${minHeight}`);
        assert.ok(bitmap.width <= width && bitmap.height <= height);
        assert.equal(bitmap.data.length, bitmap.width * bitmap.height * 4);
      });
    }
  });

  describe("bad input", () => {
    it("refuses truncated data with an error that says so", async () => {
      const bytes = await jpegOf(400, 300);
      const truncated = bytes.subarray(0, Math.floor(bytes.length / 2));
      assert.throws(
        () => decodeJpeg(truncated, { minWidth: 50, minHeight: 38, maxPixels: ROOMY }),
        (error: unknown) => error instanceof JpegCorruptError && error.reason === "corrupt" && /not a decodable JPEG/.test(error.message),
      );
    });

    for (const [name, bytes] of [
      ["garbage", Buffer.from("this is not a JPEG, just some text that is long enough")],
      ["an empty buffer", Buffer.alloc(0)],
      ["a JPEG signature and nothing else", Buffer.from([0xff, 0xd8, 0xff])],
      [
        "random bytes after a JPEG signature",
        Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff))]),
      ],
    ] as const) {
      it(`refuses ${name} with a JpegCorruptError, and keeps working afterwards`, async () => {
        assert.throws(() => decodeJpeg(bytes, { minWidth: 1, minHeight: 1, maxPixels: ROOMY }), JpegCorruptError);
        const good = decodeJpeg(await jpegOf(64, 64), { minWidth: 8, minHeight: 8, maxPixels: ROOMY });
        assert.deepEqual([good.width, good.height], [8, 8]);
      });
    }

    it("falls back to jpeg-js when libjpeg-turbo only warns (stray bytes before EOI)", async () => {
      const bytes = await jpegOf(128, 96);
      const eoi = bytes.length - 2;
      const damaged = Buffer.concat([bytes.subarray(0, eoi), Buffer.from([0x12, 0x34, 0x56]), bytes.subarray(eoi)]);
      const bitmap = decodeJpeg(damaged, { minWidth: 16, minHeight: 12, maxPixels: ROOMY });
      assert.equal(bitmap.decoder, "jpeg-js");
      assert.deepEqual([bitmap.width, bitmap.height], [128, 96], "jpeg-js decodes at full size");
      assert.ok(psnrRgb(bitmap, fullDecode(bytes)) > 40);
    });

    it("rejects a request that asks for nothing sensible", async () => {
      const bytes = await jpegOf(16, 16);
      assert.throws(
        () => decodeJpeg(bytes, { minWidth: 0, minHeight: 1, maxPixels: ROOMY }),
        /minWidth must be a finite number ≥ 1, got 0/,
      );
      assert.throws(() => decodeJpeg(bytes, { minWidth: 1, minHeight: 1, maxPixels: Number.NaN }), /maxPixels/);
    });
  });

  describe("decompression-bomb guard (maxPixels)", () => {
    it("refuses an image over maxPixels, naming size and limit", async () => {
      const bytes = await jpegOf(400, 300);
      assert.throws(
        () => decodeJpeg(bytes, { minWidth: 1, minHeight: 1, maxPixels: 119_999 }),
        (error: unknown) =>
          error instanceof JpegTooLargeError &&
          error.reason === "too-large" &&
          /400×300 = 120000 pixels/.test(error.message) &&
          /119999/.test(error.message),
      );
      assert.equal(decodeJpeg(bytes, { minWidth: 1, minHeight: 1, maxPixels: 120_000 }).width, 50, "exactly at the limit is allowed");
    });

    it("refuses a tiny file whose header declares 60000×60000, before decoding", async () => {
      const bytes = Buffer.from(await jpegOf(64, 64));
      const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
      bytes.writeUInt16BE(60000, sof + 5);
      bytes.writeUInt16BE(60000, sof + 7);
      assert.deepEqual(readJpegFrameSize(bytes), { width: 60000, height: 60000 });
      assert.throws(() => decodeJpeg(bytes, { minWidth: 1, minHeight: 1, maxPixels: 50_000_000 }), JpegTooLargeError);
    });

    it("refuses a JPEG with more scans than any encoder writes (a CPU bomb), and counts real ones", async () => {
      const progressive = await jpegOf(64, 48, { progressive: true });
      const scans = countJpegScans(progressive);
      assert.ok(scans > 1 && scans <= 20, `sharp's progressive JPEG has ${scans} scans`);
      assert.equal(countJpegScans(await jpegOf(64, 48)), 1);
      // Repeat the last scan (SOS … up to EOI) until there are too many.
      const lastScan = progressive.lastIndexOf(Buffer.from([0xff, 0xda]));
      const scan = progressive.subarray(lastScan, progressive.length - 2);
      const bomb = Buffer.concat([
        progressive.subarray(0, progressive.length - 2),
        ...Array.from({ length: MAX_JPEG_SCANS }, () => scan),
        Buffer.from([0xff, 0xd9]),
      ]);
      assert.throws(
        () => decodeJpeg(bomb, { minWidth: 8, minHeight: 6, maxPixels: ROOMY }),
        (error: unknown) => error instanceof JpegTooManyScansError && /more than the limit of 500/.test(error.message),
      );
    });

    it("reads the frame size behind APPn segments and fill bytes, and nothing from non-JPEGs", async () => {
      const bytes = await jpegOf(321, 123, {}, (s) => s.withMetadata({ orientation: 6 }));
      assert.deepEqual(readJpegFrameSize(bytes), { width: 321, height: 123 });
      const padded = Buffer.concat([bytes.subarray(0, 2), Buffer.from([0xff, 0xff]), bytes.subarray(2)]);
      assert.deepEqual(readJpegFrameSize(padded), { width: 321, height: 123 });
      assert.equal(readJpegFrameSize(Buffer.from("GIF89a")), undefined);
      assert.equal(readJpegFrameSize(bytes.subarray(0, 20)), undefined);
    });
  });
});
