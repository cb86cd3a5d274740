/**
 * The pure thumbnail core, on images the tests make themselves: formats, alpha, extreme shapes,
 * EXIF orientation, damaged files and decompression bombs.
 */
import * as assert from "assert";
import { Jimp } from "jimp";
import { PNG } from "pngjs";
import { makeThumbnails, fitWithin, DEFAULT_THUMBNAIL_OPTIONS, type ThumbnailOptions } from "../../function/src/core/thumbnailer";
import { FailureReason } from "../../contract/failureReasons";
import { PermanentError } from "../../function/src/core/errors";
import {
  solid,
  quadrantImage,
  QUADRANTS,
  withExifOrientation,
  pngWithExif,
  pngBomb,
  gifBomb,
  gifFrameBomb,
  jpegBomb,
  bmpBomb,
  tiffBomb,
  greyTiffWithOrientation,
  interlacedPng,
  type Mime,
} from "./support/images";

const OPTIONS: ThumbnailOptions = { sizes: [256], jpegQuality: 80, maxPixels: 50_000_000 };

async function decoded(bytes: Buffer) {
  return Jimp.fromBuffer(bytes);
}

async function rejectsWith(promise: Promise<unknown>, reason: FailureReason, message?: RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof PermanentError, `expected a PermanentError, got ${err}`);
    assert.strictEqual(err.reason, reason, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/** Colour of a pixel as 0xRRGGBB, ignoring alpha. */
function rgbAt(image: Awaited<ReturnType<typeof decoded>>, x: number, y: number): number {
  return image.getPixelColor(x, y) >>> 8;
}

/** Which quadrant colour a pixel is nearest to. */
function nearestQuadrant(rgb: number): keyof typeof QUADRANTS {
  let best: keyof typeof QUADRANTS = "topLeft";
  let bestDistance = Infinity;
  for (const [name, color] of Object.entries(QUADRANTS) as [keyof typeof QUADRANTS, number][]) {
    const c = color >>> 8;
    const d = [16, 8, 0].reduce((sum, shift) => sum + Math.abs(((rgb >> shift) & 0xff) - ((c >> shift) & 0xff)), 0);
    if (d < bestDistance) {
      bestDistance = d;
      best = name;
    }
  }
  return best;
}

describe("thumbnail core (makeThumbnails)", function () {
  this.timeout(30_000);

  describe("formats", () => {
    const cases: [Mime, string][] = [
      ["image/jpeg", "jpeg"],
      ["image/png", "png"],
      ["image/gif", "gif"],
      ["image/bmp", "bmp"],
      ["image/tiff", "tiff"],
    ];
    for (const [mime, format] of cases) {
      it(`makes a 256 px JPEG thumbnail of an opaque ${format.toUpperCase()}, detecting the format from its content`, async () => {
        const result = await makeThumbnails(await solid(640, 320, mime), OPTIONS);
        assert.strictEqual(result.facts.format, format);
        assert.deepStrictEqual([result.facts.width, result.facts.height], [640, 320]);
        assert.strictEqual(result.thumbnails.length, 1);
        const [thumb] = result.thumbnails;
        assert.deepStrictEqual([thumb.width, thumb.height, thumb.format, thumb.contentType], [256, 128, "jpeg", "image/jpeg"]);
        const image = await decoded(thumb.bytes);
        assert.deepStrictEqual([image.bitmap.width, image.bitmap.height], [256, 128]);
        const c = rgbAt(image, 128, 64);
        assert.ok(Math.abs(((c >> 16) & 0xff) - 0x40) < 12 && Math.abs((c & 0xff) - 0xc0) < 12, `colour preserved, got ${c.toString(16)}`);
      });
    }

    it("keeps transparency: an image with alpha becomes a PNG with transparent pixels", async () => {
      const image = new Jimp({ width: 400, height: 400, color: 0x00000000 });
      for (let y = 100; y < 300; y++) for (let x = 100; x < 300; x++) image.setPixelColor(0xff0000ff, x, y);
      const result = await makeThumbnails(await image.getBuffer("image/png"), OPTIONS);
      const [thumb] = result.thumbnails;
      assert.strictEqual(result.facts.hasAlpha, true);
      assert.deepStrictEqual([thumb.format, thumb.contentType], ["png", "image/png"]);
      const out = await decoded(thumb.bytes);
      assert.strictEqual(out.getPixelColor(5, 5) & 0xff, 0, "corner stays transparent");
      assert.strictEqual(out.getPixelColor(128, 128) >>> 0, 0xff0000ff, "centre stays opaque red");
    });

    it("keeps transparency of a GIF's transparent colour", async () => {
      const image = new Jimp({ width: 64, height: 64, color: 0x00000000 });
      for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) image.setPixelColor(0x00ff00ff, x, y);
      const result = await makeThumbnails(await image.getBuffer("image/gif"), OPTIONS);
      assert.strictEqual(result.thumbnails[0].format, "png");
    });

    it("makes a JPEG of a PNG that has an alpha channel but no transparent pixel", async () => {
      const result = await makeThumbnails(await solid(300, 300, "image/png", 0x102030ff), OPTIONS);
      assert.strictEqual(result.facts.hasAlpha, false);
      assert.strictEqual(result.thumbnails[0].format, "jpeg");
    });

    it("handles greyscale PNG and 16-bit PNG", async () => {
      for (const options of [
        { colorType: 0, bitDepth: 8 },
        { colorType: 2, bitDepth: 16 },
      ]) {
        const png = new PNG({ width: 300, height: 200 });
        png.data = Buffer.alloc(300 * 200 * 4, 0x80);
        const bytes = PNG.sync.write(png, { ...options, inputHasAlpha: true });
        const result = await makeThumbnails(bytes, OPTIONS);
        assert.deepStrictEqual([result.thumbnails[0].width, result.thumbnails[0].height], [256, 171], JSON.stringify(options));
      }
    });

    it("handles an interlaced (Adam7) PNG", async () => {
      // Left half red, right half blue: de-interlacing errors would mix them.
      const bytes = interlacedPng(600, 300, (x) => (x < 300 ? [255, 0, 0] : [0, 0, 255]));
      const result = await makeThumbnails(bytes, OPTIONS);
      const image = await decoded(result.thumbnails[0].bytes);
      assert.deepStrictEqual([image.bitmap.width, image.bitmap.height], [256, 128]);
      assert.strictEqual(nearestQuadrant(rgbAt(image, 20, 64)), "topLeft", "left is red");
      assert.strictEqual(nearestQuadrant(rgbAt(image, 236, 64)), "bottomLeft", "right is blue");
    });

    it("handles a greyscale JPEG", async () => {
      const image = new Jimp({ width: 500, height: 500, color: 0x808080ff });
      image.greyscale();
      const result = await makeThumbnails(await image.getBuffer("image/jpeg"), OPTIONS);
      assert.strictEqual(result.thumbnails[0].width, 256);
    });

    it("encodes opaque thumbnails at the configured JPEG quality", async () => {
      const photo = quadrantImage(800, 800);
      for (let i = 0; i < 4000; i++) photo.setPixelColor((((i * 2654435761) >>> 0) | 0xff) >>> 0, (i * 37) % 800, (i * 91) % 800);
      const bytes = await photo.getBuffer("image/jpeg", { quality: 95 });
      const low = await makeThumbnails(bytes, { ...OPTIONS, jpegQuality: 30 });
      const high = await makeThumbnails(bytes, { ...OPTIONS, jpegQuality: 95 });
      assert.ok(low.thumbnails[0].bytes.length < high.thumbnails[0].bytes.length);
    });
  });

  describe("dimensions", () => {
    it("fits within the bounding size and keeps the aspect ratio", () => {
      assert.deepStrictEqual(fitWithin(4000, 3000, 256), { width: 256, height: 192 });
      assert.deepStrictEqual(fitWithin(3000, 4000, 256), { width: 192, height: 256 });
      assert.deepStrictEqual(fitWithin(1000, 1000, 256), { width: 256, height: 256 });
    });

    it("never upscales a small image", async () => {
      const result = await makeThumbnails(await solid(100, 50, "image/png"), OPTIONS);
      assert.deepStrictEqual([result.thumbnails[0].width, result.thumbnails[0].height], [100, 50]);
    });

    it("handles a 1×1 image", async () => {
      const result = await makeThumbnails(await solid(1, 1, "image/png"), OPTIONS);
      assert.deepStrictEqual([result.thumbnails[0].width, result.thumbnails[0].height], [1, 1]);
      const out = await decoded(result.thumbnails[0].bytes);
      assert.strictEqual(out.bitmap.width, 1);
    });

    it("never makes a 0 px side: a 10000×10 image becomes 256×1", async () => {
      const result = await makeThumbnails(await solid(10000, 10, "image/png"), OPTIONS);
      assert.deepStrictEqual([result.thumbnails[0].width, result.thumbnails[0].height], [256, 1]);
      const tall = await makeThumbnails(await solid(10, 10000, "image/jpeg"), OPTIONS);
      assert.deepStrictEqual([tall.thumbnails[0].width, tall.thumbnails[0].height], [1, 256]);
    });

    it("makes one thumbnail per size, largest first", async () => {
      const result = await makeThumbnails(await solid(1024, 768, "image/jpeg"), { ...OPTIONS, sizes: [128, 512] });
      assert.deepStrictEqual(
        result.thumbnails.map((t) => [t.size, t.width, t.height]),
        [
          [512, 512, 384],
          [128, 128, 96],
        ],
      );
    });
  });

  describe("EXIF orientation", () => {
    // Where the stored top-left corner appears once the image is displayed per EXIF 2.32.
    const expected: Record<number, { corner: [number, number]; swapped: boolean }> = {
      1: { corner: [0, 0], swapped: false },
      2: { corner: [1, 0], swapped: false },
      3: { corner: [1, 1], swapped: false },
      4: { corner: [0, 1], swapped: false },
      5: { corner: [0, 0], swapped: true },
      6: { corner: [1, 0], swapped: true },
      7: { corner: [1, 1], swapped: true },
      8: { corner: [0, 1], swapped: true },
    };
    let stored: Buffer;
    before(async () => {
      stored = await quadrantImage(600, 400).getBuffer("image/jpeg", { quality: 95 });
    });

    for (let orientation = 1; orientation <= 8; orientation++) {
      it(`turns orientation ${orientation} upright: the stored top-left marker lands in the right corner`, async () => {
        const result = await makeThumbnails(withExifOrientation(stored, orientation), OPTIONS);
        const { corner, swapped } = expected[orientation];
        assert.strictEqual(result.facts.orientation, orientation);
        assert.deepStrictEqual([result.facts.width, result.facts.height], swapped ? [400, 600] : [600, 400]);
        const [thumb] = result.thumbnails;
        assert.deepStrictEqual([thumb.width, thumb.height], swapped ? [171, 256] : [256, 171]);
        const image = await decoded(thumb.bytes);
        const x = corner[0] === 0 ? 8 : thumb.width - 9;
        const y = corner[1] === 0 ? 8 : thumb.height - 9;
        assert.strictEqual(nearestQuadrant(rgbAt(image, x, y)), "topLeft", `red marker at (${x}, ${y})`);
      });
    }

    it("honours the orientation in a PNG eXIf chunk", async () => {
      const png = pngWithExif(await quadrantImage(600, 400).getBuffer("image/png"), 6);
      const result = await makeThumbnails(png, OPTIONS);
      assert.deepStrictEqual([result.facts.orientation, result.thumbnails[0].width, result.thumbnails[0].height], [6, 171, 256]);
      const image = await decoded(result.thumbnails[0].bytes);
      assert.strictEqual(nearestQuadrant(rgbAt(image, 170 - 8, 8)), "topLeft");
    });

    it("honours the Orientation tag of a TIFF", async () => {
      const result = await makeThumbnails(greyTiffWithOrientation(400, 200, 6), OPTIONS);
      const [thumb] = result.thumbnails;
      assert.deepStrictEqual([result.facts.orientation, thumb.width, thumb.height], [6, 128, 256]);
      const image = await decoded(thumb.bytes);
      // Stored top-left (black) is displayed top-right after turning clockwise.
      assert.ok((rgbAt(image, thumb.width - 8, 8) & 0xff) < 40, "top-right is black");
      assert.ok((rgbAt(image, 8, 8) & 0xff) > 215, "top-left is white");
    });

    it("carries no EXIF (camera details, GPS location) into the thumbnail", async () => {
      const withExif = withExifOrientation(stored, 6);
      assert.ok(withExif.includes(Buffer.from("Exif\0\0", "binary")), "the source has EXIF");
      const result = await makeThumbnails(withExif, OPTIONS);
      assert.ok(!result.thumbnails[0].bytes.includes(Buffer.from("Exif\0\0", "binary")));
    });

    it("ignores an invalid orientation value", async () => {
      const result = await makeThumbnails(withExifOrientation(stored, 9), OPTIONS);
      assert.deepStrictEqual([result.facts.orientation, result.thumbnails[0].width], [1, 256]);
    });
  });

  describe("damaged and unsupported input", () => {
    let jpeg: Buffer;
    let png: Buffer;
    before(async () => {
      jpeg = await solid(400, 300, "image/jpeg");
      png = await solid(400, 300, "image/png");
    });

    it("refuses an empty object", async () => {
      await rejectsWith(makeThumbnails(new Uint8Array(0), OPTIONS), FailureReason.EmptyObject);
    });

    it("refuses a truncated JPEG as corrupt", async () => {
      await rejectsWith(makeThumbnails(jpeg.subarray(0, Math.floor(jpeg.length / 3)), OPTIONS), FailureReason.CorruptImage);
    });

    it("refuses a JPEG cut inside its header as corrupt", async () => {
      await rejectsWith(makeThumbnails(jpeg.subarray(0, 12), OPTIONS), FailureReason.CorruptImage, /JPEG/);
    });

    it("refuses a truncated PNG as corrupt", async () => {
      await rejectsWith(makeThumbnails(png.subarray(0, 60), OPTIONS), FailureReason.CorruptImage, /PNG/);
    });

    it("refuses a PNG signature followed by garbage as corrupt", async () => {
      const garbage = Buffer.concat([png.subarray(0, 8), Buffer.alloc(200, 0xab)]);
      await rejectsWith(makeThumbnails(garbage, OPTIONS), FailureReason.CorruptImage);
    });

    it("refuses random bytes and text as unsupported", async () => {
      const random = Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 7919 + 13) & 0xff));
      await rejectsWith(makeThumbnails(random, OPTIONS), FailureReason.UnsupportedFormat);
      await rejectsWith(makeThumbnails(Buffer.from("hello, world"), OPTIONS), FailureReason.UnsupportedFormat);
    });

    it("names JPEG XL, PDF and SVG when refusing them", async () => {
      const jxl = Buffer.from([0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a, 0, 0, 0, 0]);
      const pdf = Buffer.from("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n");
      const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>');
      await rejectsWith(makeThumbnails(jxl, OPTIONS), FailureReason.UnsupportedFormat, /JPEG XL/);
      await rejectsWith(makeThumbnails(pdf, OPTIONS), FailureReason.UnsupportedFormat, /PDF/);
      await rejectsWith(makeThumbnails(svg, OPTIONS), FailureReason.UnsupportedFormat, /SVG/);
    });

    it("rejects invalid options with a message naming the rule", async () => {
      await assert.rejects(makeThumbnails(jpeg, { ...OPTIONS, sizes: [0] }), /sizes must be positive integers/);
      await assert.rejects(makeThumbnails(jpeg, { ...OPTIONS, jpegQuality: 101 }), /JPEG quality must be an integer 1–100/);
    });
  });

  describe("decompression bombs", () => {
    const bombs: [string, () => Buffer, number, number][] = [
      ["PNG", () => pngBomb(20000, 20000), 20000, 20000],
      ["GIF", () => gifBomb(65535, 65535), 65535, 65535],
      ["JPEG", () => jpegBomb(65500, 65500), 65500, 65500],
      ["BMP", () => bmpBomb(30000, 30000), 30000, 30000],
      ["TIFF", () => tiffBomb(100000, 100000), 100000, 100000],
    ];
    for (const [name, make, width, height] of bombs) {
      it(`refuses a ${name} whose header claims ${width}×${height} before decoding it`, async () => {
        const started = process.hrtime.bigint();
        await rejectsWith(makeThumbnails(make(), OPTIONS), FailureReason.TooManyPixels, new RegExp(`${width}×${height}`));
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // Generous bound: decoding would take seconds and gigabytes; the header check takes microseconds.
        assert.ok(ms < 1000, `refused in ${ms.toFixed(1)} ms`);
      });
    }

    it("refuses a GIF whose first frame is far larger than its logical screen", async () => {
      await rejectsWith(makeThumbnails(gifFrameBomb(60000, 60000), OPTIONS), FailureReason.TooManyPixels);
    });

    it("uses the configured limit", async () => {
      const bytes = await solid(200, 100, "image/png");
      await rejectsWith(makeThumbnails(bytes, { ...OPTIONS, maxPixels: 19_999 }), FailureReason.TooManyPixels, /MAX_IMAGE_PIXELS/);
      const result = await makeThumbnails(bytes, { ...OPTIONS, maxPixels: 20_000 });
      assert.strictEqual(result.thumbnails.length, 1);
    });
  });

  it("has defaults matching the stack's defaults", () => {
    assert.deepStrictEqual(DEFAULT_THUMBNAIL_OPTIONS, { sizes: [256], jpegQuality: 80, maxPixels: 50_000_000 });
  });
});
