/**
 * HEIC: the HEIF boxes read before decoding (the same reader as AVIF's), libheif's pixels
 * against the sources, grid tiles stitched, transformations (`irot`, `imir`, `clap`) applied by
 * libheif exactly once, and the guards on lying, truncated and malformed files. Fixtures
 * (ImageMagick, heif-enc, build.py) are in fixtures/heic/.
 */
import * as assert from "assert";
import { FailureReason } from "../../contract/failureReasons";
import { readHeader } from "../../function/src/core/imageHeader";
import type { Bitmap } from "../../function/src/core/orientation";
import { fixtures, meanDifference, failsWith } from "./support/decoderSpecs";
import { makeThumbnails, type ThumbnailOptions } from "../../function/src/core/thumbnailer";

const OPTIONS: ThumbnailOptions = { sizes: [64], jpegQuality: 95, maxPixels: 50_000_000 };
const { fixture, decode, png } = fixtures("heic", OPTIONS.maxPixels);

/** The colour (nearest of red, green, blue, yellow) at each corner of a bitmap. */
function corners(b: Bitmap): string[] {
  const names: Array<[string, number[]]> = [
    ["red", [255, 0, 0]],
    ["green", [0, 255, 0]],
    ["blue", [0, 0, 255]],
    ["yellow", [255, 255, 0]],
  ];
  const at = (x: number, y: number) => {
    const p = [...b.data.subarray((y * b.width + x) * 4, (y * b.width + x) * 4 + 3)];
    const distance = (c: number[]) => c.reduce((sum, v, k) => sum + Math.abs(v - p[k]), 0);
    return names.reduce((best, n) => (distance(n[1]) < distance(best[1]) ? n : best))[0];
  };
  return [at(2, 2), at(b.width - 3, 2), at(2, b.height - 3), at(b.width - 3, b.height - 3)];
}

/** Offset of the nth box of this type (found by its fourcc; the fixtures are small and plain). */
function boxAt(bytes: Buffer, type: string, nth = 0): number {
  let at = -1;
  for (let k = 0; k <= nth; k++) at = bytes.indexOf(type, at + 1, "latin1");
  assert.ok(at >= 4, `fixture has a "${type}" box`);
  return at - 4;
}

describe("HEIC", () => {
  describe("pixels", () => {
    for (const name of ["8bit.heic", "10bit.heic"]) {
      it(`decodes ${name} (a 1×1 grid of a 64×64 tile cut to 64×48, as libheif writes it) close to its source`, () => {
        assert.ok(meanDifference(decode(fixture(name)), png("quadrants.png")) < 4);
      });
    }

    it("stitches a 2×2 grid of 64×64 HEVC tiles into its 128×96 output without seams", async () => {
      const decoded = decode(fixture("grid.heic"));
      assert.deepStrictEqual([decoded.width, decoded.height], [128, 96]);
      assert.ok(meanDifference(decoded, png("grid-src.png")) < 4);
      const { facts } = await makeThumbnails(fixture("grid.heic"), OPTIONS);
      assert.deepStrictEqual([facts.format, facts.contentType, facts.width, facts.height], ["heic", "image/heic", 128, 96]);
    });

    it("keeps alpha: the transparent half of the source is transparent in the thumbnail", async () => {
      assert.ok(meanDifference(decode(fixture("alpha.heic")), png("alpha.png")) < 4);
      const { thumbnails, facts } = await makeThumbnails(fixture("alpha.heic"), OPTIONS);
      assert.deepStrictEqual([facts.hasAlpha, thumbnails[0].format], [true, "png"]);
    });
  });

  describe("transformations, applied by libheif exactly once", () => {
    for (const [name, size, expected] of [
      ["irot1.heic", [48, 64], ["green", "yellow", "red", "blue"]],
      ["imir0.heic", [64, 48], ["blue", "yellow", "red", "green"]],
      ["irot3-imir1.heic", [48, 64], ["red", "blue", "green", "yellow"]],
      ["clap.heic", [40, 30], ["red", "green", "blue", "yellow"]],
    ] as const) {
      it(`gives ${name} as displayed (${size.join("×")}), with orientation 1 so nothing turns it again`, async () => {
        const bytes = fixture(name);
        const header = readHeader(bytes);
        assert.deepStrictEqual([header.width, header.height, header.orientation], [...size, 1]);
        assert.deepStrictEqual(corners(decode(bytes)), expected);
        const { facts, thumbnails } = await makeThumbnails(bytes, OPTIONS);
        assert.deepStrictEqual([facts.width, facts.height, facts.orientation], [...size, 1]);
        assert.deepStrictEqual([thumbnails[0].width, thumbnails[0].height], size);
      });
    }
  });

  describe("guards", () => {
    it("refuses a grid whose output claims 60000×60000 as TooManyPixels before decoding", async () => {
      const bytes = Buffer.from(fixture("grid.heic"));
      const ispe = boxAt(bytes, "ispe", 0);
      bytes.writeUInt32BE(60000, ispe + 12);
      bytes.writeUInt32BE(60000, ispe + 16);
      // The grid description in idat (version, flags, rows − 1, columns − 1, 16-bit sizes) agrees, and tiles of 30000 cover it.
      const grid = boxAt(bytes, "idat") + 8;
      bytes.writeUInt16BE(60000, grid + 4);
      bytes.writeUInt16BE(60000, grid + 6);
      const tile = boxAt(bytes, "ispe", 1);
      bytes.writeUInt32BE(30000, tile + 12);
      bytes.writeUInt32BE(30000, tile + 16);
      const started = process.hrtime.bigint();
      await assert.rejects(makeThumbnails(bytes, OPTIONS), failsWith(FailureReason.TooManyPixels, /60000×60000/));
      assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 1000);
    });

    it("refuses a clean aperture that leaves nothing as CorruptImage", async () => {
      const bytes = Buffer.from(fixture("clap.heic"));
      // clap: width N/D at +8; an aperture of 0 columns.
      bytes.writeUInt32BE(0, boxAt(bytes, "clap") + 8);
      await assert.rejects(
        makeThumbnails(bytes, OPTIONS),
        failsWith(FailureReason.CorruptImage, /clean aperture \(clap\) leaves no column/),
      );
    });

    it("refuses a tile whose HEVC data was cut short inside consistent boxes as CorruptImage (libheif refuses it)", async () => {
      const whole = fixture("8bit.heic");
      const bytes = Buffer.from(whole.subarray(0, whole.length - 100));
      const mdat = boxAt(bytes, "mdat");
      bytes.writeUInt32BE(bytes.length - mdat, mdat);
      await assert.rejects(makeThumbnails(bytes, OPTIONS), failsWith(FailureReason.CorruptImage, /HEIC data cannot be decoded: libheif/));
    });

    it("refuses a truncated file as CorruptImage, naming the truncation", async () => {
      await assert.rejects(
        makeThumbnails(fixture("8bit.heic").subarray(0, 300), OPTIONS),
        failsWith(FailureReason.CorruptImage, /HEIC header is invalid: .*truncated/),
      );
    });

    for (const [coding, named] of [
      ["j2k1", /HEIC primary image is a grid of 'j2k1' \(JPEG 2000\) tiles; only HEVC/],
      ["unci", /grid of 'unci' \(uncompressed\) tiles/],
      ["av01", /grid of 'av01' \(AV1\) tiles/],
    ] as const) {
      it(`refuses tiles coded as ${coding} as UnsupportedFormat, naming the coding`, async () => {
        const bytes = Buffer.from(fixture("8bit.heic"));
        bytes.write(coding, bytes.indexOf("hvc1", boxAt(bytes, "iinf"), "latin1"), "latin1");
        await assert.rejects(makeThumbnails(bytes, OPTIONS), failsWith(FailureReason.UnsupportedFormat, named));
      });
    }
  });
});
