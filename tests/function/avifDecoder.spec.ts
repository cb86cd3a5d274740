/**
 * AVIF: the HEIF boxes read before decoding (primary item, grid, irot/imir, alpha and sequence
 * sizes), libavif's pixels against the sources, orientation applied exactly once, and the guards
 * on lying, truncated and malformed files. Fixtures (avifenc) are in fixtures/avif/.
 */
import * as assert from "assert";
import sharp from "sharp";
import { AVIF_DECODE_BYTES_PER_PIXEL, DECODE_BYTES_PER_PIXEL } from "../../contract/decodeLimits";
import { FailureReason } from "../../contract/failureReasons";
import { readHeifPrimary } from "../../function/src/core/heif/items";
import { readHeader } from "../../function/src/core/imageHeader";
import { fixtures, maxDifference, failsWith } from "./support/decoderSpecs";
import { makeThumbnails, type ThumbnailOptions } from "../../function/src/core/thumbnailer";

const OPTIONS: ThumbnailOptions = { sizes: [64], jpegQuality: 95, maxPixels: 50_000_000 };
const { fixture, decode, png } = fixtures("avif", OPTIONS.maxPixels);

/** Offset of the nth box of this type (found by its fourcc; the fixtures are small and plain). */
function boxAt(bytes: Buffer, type: string, nth = 0): number {
  let at = -1;
  for (let k = 0; k <= nth; k++) at = bytes.indexOf(type, at + 1, "latin1");
  assert.ok(at >= 4, `fixture has a "${type}" box`);
  return at - 4;
}

function withIspe(name: string, width: number, height: number, nth = 0): Buffer {
  const bytes = Buffer.from(fixture(name));
  const ispe = boxAt(bytes, "ispe", nth);
  bytes.writeUInt32BE(width, ispe + 12);
  bytes.writeUInt32BE(height, ispe + 16);
  return bytes;
}

/** The four corners' colours of a decoded thumbnail, as the nearest of red, green, blue, yellow. */
async function corners(image: Buffer): Promise<string[]> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const names: Array<[string, number[]]> = [
    ["red", [255, 0, 0]],
    ["green", [0, 255, 0]],
    ["blue", [0, 0, 255]],
    ["yellow", [255, 255, 0]],
  ];
  const at = (x: number, y: number) => {
    const p = [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const distance = (c: number[]) => c.reduce((sum, v, k) => sum + Math.abs(v - p[k]), 0);
    return names.reduce((best, n) => (distance(n[1]) < distance(best[1]) ? n : best))[0];
  };
  const [w, h] = [info.width - 3, info.height - 3];
  return [at(2, 2), at(w, 2), at(2, h), at(w, h)];
}

describe("AVIF", () => {
  describe("the header, read before decoding", () => {
    it("reads the primary item's size, and a grid's output size and tiles", () => {
      const still = readHeifPrimary(fixture("8bit.avif"));
      assert.deepStrictEqual([still.itemType, still.width, still.height, still.brands[0]], ["av01", 64, 48, "avif"]);
      const grid = readHeifPrimary(fixture("grid.avif"));
      assert.deepStrictEqual([grid.itemType, grid.width, grid.height], ["grid", 192, 128]);
      assert.deepStrictEqual(grid.grid && [grid.grid.columns, grid.grid.rows, grid.grid.tile, grid.grid.tileType], [
        3,
        2,
        { width: 64, height: 64 },
        "av01",
      ]);
    });

    it("counts the alpha item's and the sequence frames' sizes among what will be decoded", () => {
      assert.deepStrictEqual(readHeifPrimary(fixture("alpha.avif")).otherSizes, [{ width: 64, height: 48, kind: "auxiliary" }]);
      const animated = readHeifPrimary(fixture("animated.avif"));
      assert.ok(animated.otherSizes.some((s) => s.width === 64 && s.height === 48));
    });

    for (const [name, orientation, displayed] of [
      ["irot1.avif", 8, [48, 64]],
      ["imir0.avif", 4, [64, 48]],
      ["imir1.avif", 2, [64, 48]],
      ["irot1-imir0.avif", 5, [48, 64]],
      // avifenc turned EXIF orientation 6 into irot 3 and kept the EXIF: applied once, not twice.
      ["exif6.avif", 6, [48, 64]],
      ["8bit.avif", 1, [64, 48]],
    ] as const) {
      it(`applies ${name}'s transformations once, as libheif (sharp) displays it`, async () => {
        const bytes = fixture(name);
        assert.strictEqual(readHeader(bytes).orientation, orientation);
        const { thumbnails, facts } = await makeThumbnails(bytes, OPTIONS);
        assert.deepStrictEqual([facts.format, facts.contentType, facts.width, facts.height], ["avif", "image/avif", ...displayed]);
        const reference = await sharp(bytes).png().toBuffer();
        assert.deepStrictEqual(await corners(thumbnails[0].bytes), await corners(reference));
      });
    }
  });

  describe("the memory rule", () => {
    for (const [name, cost] of [
      ["8bit-420.avif", AVIF_DECODE_BYTES_PER_PIXEL.eightBit420Opaque],
      ["8bit.avif", AVIF_DECODE_BYTES_PER_PIXEL.other],
      ["grid.avif", AVIF_DECODE_BYTES_PER_PIXEL.other],
      ["10bit.avif", AVIF_DECODE_BYTES_PER_PIXEL.other],
      ["12bit-444.avif", AVIF_DECODE_BYTES_PER_PIXEL.other],
      ["alpha.avif", AVIF_DECODE_BYTES_PER_PIXEL.other],
    ] as const) {
      it(`costs ${name}'s decode at ${cost} bytes a pixel, from its av1C and auxiliary items`, () => {
        assert.strictEqual(readHeader(fixture(name)).decodeBytesPerPixel, cost);
      });
    }

    it("scales the pixel limit by that cost: a 24 MP AVIF with alpha is refused at a 50 MP limit, naming the rule", async () => {
      const bytes = withIspe("alpha.avif", 6000, 4000);
      const limit = Math.floor((50_000_000 * DECODE_BYTES_PER_PIXEL) / AVIF_DECODE_BYTES_PER_PIXEL.other);
      await assert.rejects(
        makeThumbnails(bytes, { ...OPTIONS, maxPixels: 50_000_000 }),
        failsWith(FailureReason.TooManyPixels, new RegExp(`limit for this AVIF is ${limit} \\(MAX_IMAGE_PIXELS 50000000 × 20/48`)),
      );
    });

    it("lets the same 24 MP through the header check when it is 8-bit 4:2:0 and opaque (libavif then finds the lie)", async () => {
      await assert.rejects(
        makeThumbnails(withIspe("8bit-420.avif", 6000, 4000), { ...OPTIONS, maxPixels: 50_000_000 }),
        failsWith(FailureReason.CorruptImage, /libavif refused/),
      );
    });
  });

  describe("pixels", () => {
    for (const name of ["8bit.avif", "10bit.avif", "12bit-444.avif"]) {
      it(`decodes ${name} to 8-bit RGBA close to its source (near-lossless encode: within 6 levels)`, () => {
        assert.ok(maxDifference(decode(fixture(name)), png("quadrants.png")) <= 6);
      });
    }

    it("decodes 8-bit 4:2:0 close to its source (chroma at half resolution blurs the colour edges only)", () => {
      const decoded = decode(fixture("8bit-420.avif"));
      const source = png("quadrants.png");
      let sum = 0;
      for (let i = 0; i < decoded.data.length; i++) sum += Math.abs(decoded.data[i] - source.data[i]);
      assert.ok(sum / decoded.data.length < 3, `mean difference ${sum / decoded.data.length}`);
    });

    it("stitches a 3×2 grid of 64×64 tiles without seams: the whole output matches its source", () => {
      const decoded = decode(fixture("grid.avif"));
      assert.deepStrictEqual([decoded.width, decoded.height], [192, 128]);
      assert.ok(maxDifference(decoded, png("grid-src.png")) <= 12);
    });

    it("keeps alpha: the transparent half of the source is transparent in the thumbnail", async () => {
      const decoded = decode(fixture("alpha.avif"));
      assert.ok(maxDifference(decoded, png("alpha.png")) <= 6);
      const { thumbnails, facts } = await makeThumbnails(fixture("alpha.avif"), OPTIONS);
      assert.deepStrictEqual([facts.hasAlpha, thumbnails[0].format], [true, "png"]);
    });

    it("gives an image sequence's first frame", () => {
      const decoded = decode(fixture("animated.avif"));
      const [r, g, b] = decoded.data.subarray(0, 3);
      assert.ok(r > 240 && g < 16 && b > 240, `magenta (the first frame), got ${[r, g, b]}`);
    });
  });

  describe("guards", () => {
    it("refuses a primary item claiming 16384×16384 as TooManyPixels before decoding", async () => {
      const started = process.hrtime.bigint();
      await assert.rejects(
        makeThumbnails(withIspe("8bit.avif", 16384, 16384), OPTIONS),
        failsWith(FailureReason.TooManyPixels, /16384×16384/),
      );
      assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 1000);
    });

    it("refuses a grid whose output claims 65535×44000 as TooManyPixels", async () => {
      const bytes = Buffer.from(fixture("grid.avif"));
      const gridData = gridPayload(bytes);
      bytes.writeUInt16BE(65535, gridData + 4);
      bytes.writeUInt16BE(44000, gridData + 6);
      // The grid's own ispe agrees, and 3×2 tiles of 22000×22000 cover it.
      for (const [nth, width, height] of [
        [0, 65535, 44000],
        [1, 22000, 22000],
      ]) {
        const ispe = boxAt(bytes, "ispe", nth);
        bytes.writeUInt32BE(width, ispe + 12);
        bytes.writeUInt32BE(height, ispe + 16);
      }
      await assert.rejects(makeThumbnails(bytes, OPTIONS), failsWith(FailureReason.TooManyPixels, /65535×44000/));
    });

    it("refuses a grid whose tiles do not cover its output as CorruptImage", async () => {
      const bytes = Buffer.from(fixture("grid.avif"));
      const gridData = gridPayload(bytes);
      bytes.writeUInt16BE(400, gridData + 4);
      await assert.rejects(
        makeThumbnails(bytes, OPTIONS),
        failsWith(FailureReason.CorruptImage, /3×2 grid of 64×64 tiles does not fit a 400×128 output/),
      );
    });

    it("refuses an image sequence whose frames claim 65535×65535 as TooManyPixels", async () => {
      const bytes = Buffer.from(fixture("animated.avif"));
      // The first track's sample entry (an 'av01' VisualSampleEntry inside stsd).
      const entry = bytes.indexOf("av01", boxAt(bytes, "stsd"), "latin1") - 4;
      bytes.writeUInt16BE(65535, entry + 8 + 24);
      bytes.writeUInt16BE(65535, entry + 8 + 26);
      await assert.rejects(makeThumbnails(bytes, OPTIONS), failsWith(FailureReason.TooManyPixels, /65535×65535/));
    });

    it("refuses a size (ispe) smaller than the AV1 data as CorruptImage: libavif refuses the mismatch", async () => {
      await assert.rejects(
        makeThumbnails(withIspe("8bit.avif", 32, 24), OPTIONS),
        failsWith(FailureReason.CorruptImage, /AVIF data cannot be decoded: libavif refused/),
      );
    });

    it("refuses a truncated file as CorruptImage, naming the truncation", async () => {
      const bytes = fixture("8bit.avif");
      await assert.rejects(
        makeThumbnails(bytes.subarray(0, 200), OPTIONS),
        failsWith(FailureReason.CorruptImage, /AVIF header is invalid: .*truncated/),
      );
      await assert.rejects(
        makeThumbnails(bytes.subarray(0, bytes.length - 20), OPTIONS),
        failsWith(FailureReason.CorruptImage, /"mdat" .* \(truncated, or the size lies\)/),
      );
    });

    it("refuses image data cut short inside consistent boxes as CorruptImage", async () => {
      const bytes = Buffer.from(fixture("8bit.avif").subarray(0, fixture("8bit.avif").length - 40));
      const mdat = boxAt(bytes, "mdat");
      bytes.writeUInt32BE(bytes.length - mdat, mdat);
      await assert.rejects(makeThumbnails(bytes, OPTIONS), failsWith(FailureReason.CorruptImage, /AVIF data cannot be decoded/));
    });

    it("refuses malformed boxes as CorruptImage, each naming what is wrong", async () => {
      const notPict = Buffer.from(fixture("8bit.avif"));
      notPict.write("vide", boxAt(notPict, "hdlr") + 16, "latin1");
      await assert.rejects(makeThumbnails(notPict, OPTIONS), failsWith(FailureReason.CorruptImage, /handler is "vide", not "pict"/));
      const badIndex = Buffer.from(fixture("8bit.avif"));
      // ipma: version/flags, count, item id, association count, then the first association's index.
      badIndex[boxAt(badIndex, "ipma") + 8 + 4 + 4 + 2 + 1] = 0x7f;
      await assert.rejects(
        makeThumbnails(badIndex, OPTIONS),
        failsWith(FailureReason.CorruptImage, /associated with property 127, but there are 4/),
      );
      const noSize = Buffer.from(fixture("8bit.avif"));
      noSize.write("ispx", boxAt(noSize, "ispe") + 4, "latin1");
      await assert.rejects(
        makeThumbnails(noSize, OPTIONS),
        failsWith(FailureReason.CorruptImage, /primary item 1 has no size \(ispe property\)/),
      );
    });

    for (const [coding, named] of [
      ["j2k1", /coded as 'j2k1' \(JPEG 2000\); only AV1/],
      ["unci", /coded as 'unci' \(uncompressed\)/],
      ["hvc1", /coded as 'hvc1' \(HEVC\)/],
    ] as const) {
      it(`refuses a primary item coded as ${coding} as UnsupportedFormat, naming the coding`, async () => {
        const bytes = Buffer.from(fixture("8bit.avif"));
        bytes.write(coding, bytes.indexOf("av01", boxAt(bytes, "infe"), "latin1"), "latin1");
        await assert.rejects(makeThumbnails(bytes, OPTIONS), failsWith(FailureReason.UnsupportedFormat, named));
      });
    }
  });
});

/** Offset of the grid item's description (ImageGrid): the first extent of item 1 in iloc. */
function gridPayload(bytes: Buffer): number {
  assert.strictEqual(readHeifPrimary(bytes).itemType, "grid");
  // avifenc writes iloc version 0: sizes (2 bytes), item count, then item 1 (the grid): id, data
  // reference index, extent count, and its 4-byte offset.
  const body = boxAt(bytes, "iloc") + 12;
  assert.strictEqual(bytes.readUInt16BE(body + 4), 1, "iloc's first item is the grid");
  return bytes.readUInt32BE(body + 10);
}
