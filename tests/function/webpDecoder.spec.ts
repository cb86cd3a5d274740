/**
 * WebP: the container read before decoding (canvas, bitstream, animation, EXIF), libwebp's
 * pixels against a reference, and the guards on lying, truncated and malformed files (that the
 * decoder loads only when a WebP arrives: decoderLoading.spec.ts). Fixtures (cwebp, webpmux) are
 * in fixtures/webp/.
 */
import * as assert from "assert";
import { PNG } from "pngjs";
import sharp from "sharp";
import { FailureReason } from "../../contract/failureReasons";
import { readHeader } from "../../function/src/core/imageHeader";
import type { Bitmap } from "../../function/src/core/orientation";
import { fixtures, maxDifference, failsWith } from "./support/decoderSpecs";
import { makeThumbnails, type ThumbnailOptions } from "../../function/src/core/thumbnailer";
import { readWebpContainer } from "../../function/src/core/webp/container";

const OPTIONS: ThumbnailOptions = { sizes: [32], jpegQuality: 90, maxPixels: 50_000_000 };
const { fixture, decode, png } = fixtures("webp", OPTIONS.maxPixels);
const rgbaAt = (b: Bitmap, x: number, y: number) => [...b.data.subarray((y * b.width + x) * 4, (y * b.width + x) * 4 + 4)];

async function sharpReference(bytes: Buffer): Promise<Bitmap> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

/** The fixture with bytes replaced at `at` (little-endian fields, as RIFF stores them). */
function patched(name: string, edits: Array<[at: number, value: number, bytes: 1 | 2 | 3 | 4]>): Buffer {
  const out = Buffer.from(fixture(name));
  for (const [at, value, bytes] of edits) out.writeUIntLE(value, at, bytes);
  return out;
}

/** Offsets in a file whose first chunk is VP8X: canvas width − 1 at 24, height − 1 at 27 (24-bit). */
const VP8X_CANVAS_WIDTH = 24;
const VP8X_CANVAS_HEIGHT = 27;
/** In a simple lossless file: the VP8L chunk's 32 bits of width − 1, height − 1, alpha, version at 21. */
const VP8L_SIZE_BITS = 21;
/** In a simple lossy file: the key frame's 14-bit width at 26 and height at 28. */
const VP8_WIDTH = 26;
const VP8_HEIGHT = 28;

describe("WebP", () => {
  describe("the container, read before decoding", () => {
    it("reads the canvas and the codec of simple lossy, simple lossless and extended files", () => {
      const lossy = readWebpContainer(fixture("lossy.webp"));
      assert.deepStrictEqual(
        [lossy.layout, lossy.first.codec, lossy.width, lossy.height, lossy.animated],
        ["simple", "lossy", 64, 48, false],
      );
      const lossless = readWebpContainer(fixture("lossless.webp"));
      assert.deepStrictEqual([lossless.layout, lossless.first.codec, lossless.width, lossless.height], ["simple", "lossless", 64, 48]);
      const alpha = readWebpContainer(fixture("alpha-lossy.webp"));
      assert.deepStrictEqual([alpha.layout, alpha.first.codec, alpha.first.alpha !== undefined], ["extended", "lossy", true]);
      const tagged = readWebpContainer(fixture("vp8x-icc-exif.webp"));
      assert.ok(tagged.icc && tagged.icc.end - tagged.icc.start > 0, "ICCP chunk found");
      assert.ok(tagged.exif, "EXIF chunk found");
    });

    it("finds an animation's first frame and where it is drawn on the canvas", () => {
      const animated = readWebpContainer(fixture("animated.webp"));
      assert.deepStrictEqual(
        [
          animated.animated,
          animated.width,
          animated.height,
          animated.first.x,
          animated.first.y,
          animated.first.width,
          animated.first.height,
        ],
        [true, 64, 48, 10, 12, 32, 24],
      );
    });

    it("reads the EXIF orientation of an extended file and records the format", async () => {
      const bytes = fixture("vp8x-icc-exif.webp");
      assert.strictEqual(readHeader(bytes).orientation, 6);
      const { facts, thumbnails } = await makeThumbnails(bytes, OPTIONS);
      assert.deepStrictEqual(
        [facts.format, facts.contentType, facts.storedWidth, facts.storedHeight, facts.width, facts.height, facts.orientation],
        ["webp", "image/webp", 64, 48, 48, 64, 6],
      );
      // Orientation 6 turns the stored top-left (red) to the top-right.
      const thumb = await sharp(thumbnails[0].bytes).raw().toBuffer({ resolveWithObject: true });
      const at = (x: number, y: number) => [...thumb.data.subarray((y * thumb.info.width + x) * 3, (y * thumb.info.width + x) * 3 + 3)];
      const [r, g, b] = at(thumb.info.width - 2, 1);
      assert.ok(r > 200 && g < 60 && b < 60, `top-right is red, got ${[r, g, b]}`);
    });
  });

  describe("pixels", () => {
    it("decodes a lossless file exactly (the source PNG), opaque and with alpha", () => {
      assert.strictEqual(maxDifference(decode(fixture("lossless.webp")), png("quadrants.png")), 0);
      assert.strictEqual(maxDifference(decode(fixture("alpha-lossless.webp")), png("alpha.png")), 0);
    });

    for (const name of ["lossy.webp", "alpha-lossy.webp", "vp8x-icc-exif.webp", "lossless.webp"]) {
      it(`decodes ${name} as sharp's libwebp does (within 2 levels a channel)`, async () => {
        const bytes = fixture(name);
        assert.ok(maxDifference(decode(bytes), await sharpReference(bytes)) <= 2);
      });
    }

    it("keeps a lossy file's alpha: a thumbnail of a half-transparent image is a PNG with transparent pixels", async () => {
      const { thumbnails, facts } = await makeThumbnails(fixture("alpha-lossy.webp"), OPTIONS);
      assert.strictEqual(facts.hasAlpha, true);
      assert.strictEqual(thumbnails[0].format, "png");
      const thumb = PNG.sync.read(thumbnails[0].bytes);
      assert.strictEqual(thumb.data[(2 * thumb.width + 2) * 4 + 3], 255, "top half opaque");
      assert.strictEqual(thumb.data[((thumb.height - 2) * thumb.width + 2) * 4 + 3], 0, "bottom half transparent");
    });

    for (const [name, frameColour] of [
      ["animated.webp", [255, 0, 255, 255]],
      ["animated-alpha-lossy.webp", [255, 0, 0, 255]],
    ] as const) {
      it(`draws only the first frame of ${name} at its offset, transparent elsewhere`, () => {
        const bitmap = decode(fixture(name));
        const { first } = readWebpContainer(fixture(name));
        assert.deepStrictEqual([bitmap.width, bitmap.height], [64, 48]);
        const inside = rgbaAt(bitmap, first.x + 8, first.y + 8);
        assert.ok(
          inside.every((v, k) => Math.abs(v - frameColour[k]) <= 8),
          `inside the frame: ${inside}`,
        );
        // The second frame (opaque cyan over the whole canvas) is never drawn.
        assert.deepStrictEqual(rgbaAt(bitmap, 0, 0)[3], 0, "outside the first frame");
        assert.deepStrictEqual(rgbaAt(bitmap, 63, 47)[3], 0, "outside the first frame");
      });
    }
  });

  describe("guards", () => {
    it("refuses a lossless header claiming 16384×16384 as TooManyPixels before decoding", async () => {
      const bomb = patched("lossless.webp", [[VP8L_SIZE_BITS, 16383 | (16383 << 14), 4]]);
      const started = process.hrtime.bigint();
      await assert.rejects(makeThumbnails(bomb, OPTIONS), failsWith(FailureReason.TooManyPixels, /16384×16384/));
      assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 1000);
    });

    it("refuses a lossy key frame claiming 16000×16000 as TooManyPixels", async () => {
      const bomb = patched("lossy.webp", [
        [VP8_WIDTH, 16000, 2],
        [VP8_HEIGHT, 16000, 2],
      ]);
      await assert.rejects(makeThumbnails(bomb, OPTIONS), failsWith(FailureReason.TooManyPixels, /16000×16000/));
    });

    it("refuses an animation whose canvas claims 16777216×16777216 as TooManyPixels", async () => {
      const bomb = patched("animated.webp", [
        [VP8X_CANVAS_WIDTH, 0xffffff, 3],
        [VP8X_CANVAS_HEIGHT, 0xffffff, 3],
      ]);
      await assert.rejects(makeThumbnails(bomb, OPTIONS), failsWith(FailureReason.TooManyPixels, /16777216×16777216/));
    });

    it("refuses an extended file whose canvas and bitstream disagree as CorruptImage, naming both", async () => {
      const lying = patched("vp8x-icc-exif.webp", [
        [VP8X_CANVAS_WIDTH, 15, 3],
        [VP8X_CANVAS_HEIGHT, 15, 3],
      ]);
      await assert.rejects(
        makeThumbnails(lying, OPTIONS),
        failsWith(FailureReason.CorruptImage, /canvas is 16×16 but the image bitstream is 64×48/),
      );
    });

    it("refuses a key frame that claims more pixels than its data holds as CorruptImage (libwebp refuses it)", async () => {
      const lying = patched("lossy.webp", [
        [VP8_WIDTH, 2000, 2],
        [VP8_HEIGHT, 2000, 2],
      ]);
      await assert.rejects(makeThumbnails(lying, OPTIONS), failsWith(FailureReason.CorruptImage, /WEBP data cannot be decoded/));
    });

    it("refuses a first frame that lies outside the canvas as CorruptImage", async () => {
      const lying = patched("animated.webp", [
        [VP8X_CANVAS_WIDTH, 31, 3],
        [VP8X_CANVAS_HEIGHT, 23, 3],
      ]);
      await assert.rejects(
        makeThumbnails(lying, OPTIONS),
        failsWith(FailureReason.CorruptImage, /first frame \(32×24 at 10,12\) does not fit the 32×24 canvas/),
      );
    });

    it("refuses a truncated file as CorruptImage, naming the truncation", async () => {
      const bytes = fixture("lossy.webp");
      await assert.rejects(
        makeThumbnails(bytes.subarray(0, 70), OPTIONS),
        failsWith(FailureReason.CorruptImage, /WEBP header is invalid: .*truncated/),
      );
      await assert.rejects(makeThumbnails(bytes.subarray(0, 16), OPTIONS), failsWith(FailureReason.CorruptImage, /truncated/));
    });

    it("refuses a file whose sizes are consistent but whose bitstream stops early as CorruptImage", async () => {
      const cut = Buffer.from(fixture("lossy.webp").subarray(0, 60));
      cut.writeUInt32LE(cut.length - 8, 4);
      cut.writeUInt32LE(cut.length - 20, 16);
      await assert.rejects(makeThumbnails(cut, OPTIONS), failsWith(FailureReason.CorruptImage, /WEBP data cannot be decoded/));
    });

    it("refuses malformed chunks as CorruptImage, each naming what is wrong", async () => {
      const junkFirst = patched("lossy.webp", [[12, 0x4b4e554a, 4]]); // "JUNK"
      await assert.rejects(makeThumbnails(junkFirst, OPTIONS), failsWith(FailureReason.CorruptImage, /first chunk is "JUNK"/));
      const hugeChunk = patched("lossy.webp", [[16, 0xffffffff, 4]]);
      await assert.rejects(makeThumbnails(hugeChunk, OPTIONS), failsWith(FailureReason.CorruptImage, /declares 4294967295 bytes/));
      const notAKeyFrame = patched("lossy.webp", [[20, fixture("lossy.webp")[20] | 1, 1]]);
      await assert.rejects(makeThumbnails(notAKeyFrame, OPTIONS), failsWith(FailureReason.CorruptImage, /does not start with a key frame/));
      // The animation flag on a still image: no ANIM chunk.
      const falselyAnimated = patched("alpha-lossy.webp", [[20, fixture("alpha-lossy.webp")[20] | 0x02, 1]]);
      await assert.rejects(
        makeThumbnails(falselyAnimated, OPTIONS),
        failsWith(FailureReason.CorruptImage, /animated but there is no ANIM chunk/),
      );
    });
  });
});
