/**
 * Fit "cover" and explicit formats in the thumbnail core: exact sizes, which part of an
 * asymmetric source is kept (told by colour bands), never upscaling, EXIF orientation.
 */
import * as assert from "assert";
import { Jimp } from "jimp";
import { makeThumbnails, type ThumbnailOptions } from "../../function/src/core/thumbnailer";
import { coverWindow } from "../../function/src/core/fit";
import type { Rendition } from "../../contract/renditions";
import { encode, withExifOrientation } from "./support/images";

const BANDS = { red: 0xff0000ff, green: 0x00ff00ff, blue: 0x0000ffff, yellow: 0xffff00ff } as const;
type Band = keyof typeof BANDS;
const ORDER: Band[] = ["red", "green", "blue", "yellow"];

/** Four equal bands red, green, blue, yellow: left to right ("columns") or top to bottom ("rows"). */
function bands(width: number, height: number, along: "columns" | "rows"): InstanceType<typeof Jimp> {
  const image = new Jimp({ width, height, color: 0xffffffff });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const band = along === "columns" ? Math.floor((x * 4) / width) : Math.floor((y * 4) / height);
      image.setPixelColor(BANDS[ORDER[band]], x, y);
    }
  }
  return image;
}

/** The band colour nearest the pixel at (x, y). */
async function bandAt(bytes: Buffer, x: number, y: number): Promise<Band> {
  const c = (await Jimp.fromBuffer(bytes)).getPixelColor(x, y);
  const distance = (band: Band) => [24, 16, 8].reduce((sum, s) => sum + Math.abs(((BANDS[band] >>> s) & 0xff) - ((c >>> s) & 0xff)), 0);
  return ORDER.reduce((best, band) => (distance(band) < distance(best) ? band : best));
}

function options(...renditions: Rendition[]): ThumbnailOptions {
  return { sizes: [], renditions, jpegQuality: 90, maxPixels: 50_000_000 };
}

function cover(name: string, width: number, height: number, formats: Rendition["formats"] = ["png"]): Rendition {
  return { name, width, height, fit: "cover", formats };
}

describe("fit cover (thumbnail core)", () => {
  describe("coverWindow", () => {
    it("takes the largest centred window of the box's aspect, then scales it to the box", () => {
      assert.deepStrictEqual(coverWindow(400, 200, 64, 64), { width: 64, height: 64, crop: { x: 100, y: 0, width: 200, height: 200 } });
      assert.deepStrictEqual(coverWindow(200, 400, 100, 50), { width: 100, height: 50, crop: { x: 0, y: 150, width: 200, height: 100 } });
    });
    it("never upscales: a source smaller than the box gives the window itself", () => {
      assert.deepStrictEqual(coverWindow(100, 50, 64, 64), { width: 50, height: 50, crop: { x: 25, y: 0, width: 50, height: 50 } });
    });
  });

  it("makes exactly width × height of a landscape source, keeping its centre (green | blue, no red or yellow)", async () => {
    const png = await encode(bands(400, 200, "columns"), "image/png");
    const [t] = (await makeThumbnails(png, options(cover("grid", 64, 64)))).thumbnails;
    assert.deepStrictEqual(
      [t.rendition, t.fit, t.width, t.height, t.format, t.crop],
      ["grid", "cover", 64, 64, "png", { x: 100, y: 0, width: 200, height: 200 }],
    );
    assert.deepStrictEqual(
      [await bandAt(t.bytes, 0, 0), await bandAt(t.bytes, 31, 63), await bandAt(t.bytes, 32, 0), await bandAt(t.bytes, 63, 63)],
      ["green", "green", "blue", "blue"],
    );
  });

  it("crops a portrait source into a wide box from its middle rows", async () => {
    const png = await encode(bands(200, 400, "rows"), "image/png");
    const [t] = (await makeThumbnails(png, options(cover("banner", 100, 50)))).thumbnails;
    assert.deepStrictEqual([t.width, t.height, t.crop], [100, 50, { x: 0, y: 150, width: 200, height: 100 }]);
    assert.deepStrictEqual(
      [await bandAt(t.bytes, 0, 0), await bandAt(t.bytes, 99, 24), await bandAt(t.bytes, 0, 25), await bandAt(t.bytes, 99, 49)],
      ["green", "green", "blue", "blue"],
    );
  });

  it("does not upscale a source smaller than the box: the largest centred square at its own resolution", async () => {
    const png = await encode(bands(100, 50, "columns"), "image/png");
    const [t] = (await makeThumbnails(png, options(cover("grid", 64, 64)))).thumbnails;
    assert.deepStrictEqual([t.width, t.height, t.crop], [50, 50, { x: 25, y: 0, width: 50, height: 50 }]);
    assert.deepStrictEqual([await bandAt(t.bytes, 0, 25), await bandAt(t.bytes, 49, 25)], ["green", "blue"]);
  });

  it("crops in upright coordinates: a JPEG stored landscape with orientation 6 is cropped as the portrait it shows", async () => {
    // Turned 90° clockwise, the stored left-to-right bands read top to bottom.
    const jpeg = withExifOrientation(await encode(bands(400, 200, "columns"), "image/jpeg"), 6);
    const [t] = (await makeThumbnails(jpeg, options(cover("banner", 100, 50, ["jpeg"])))).thumbnails;
    assert.deepStrictEqual([t.width, t.height, t.crop], [100, 50, { x: 0, y: 150, width: 200, height: 100 }]);
    assert.deepStrictEqual([await bandAt(t.bytes, 50, 5), await bandAt(t.bytes, 50, 44)], ["green", "blue"]);
  });

  it("encodes one bitmap per rendition in each of its formats, a smaller one from the same decode", async () => {
    const png = await encode(bands(400, 200, "columns"), "image/png");
    const result = await makeThumbnails(
      png,
      options(cover("grid", 32, 32, ["jpeg", "png"]), { name: "wide", width: 300, height: 300, fit: "inside", formats: ["auto"] }),
    );
    assert.deepStrictEqual(
      result.thumbnails.map((t) => [t.rendition, t.format, t.contentType, t.width, t.height]),
      [
        ["wide", "jpeg", "image/jpeg", 300, 150],
        ["grid", "jpeg", "image/jpeg", 32, 32],
        ["grid", "png", "image/png", 32, 32],
      ],
    );
  });

  it("lays a transparent image over white when a rendition asks for JPEG, and keeps the alpha in PNG", async () => {
    const image = new Jimp({ width: 80, height: 80, color: 0x00000000 });
    const png = await encode(image, "image/png");
    const [jpeg, auto] = (await makeThumbnails(png, options(cover("grid", 40, 40, ["jpeg", "auto"])))).thumbnails;
    assert.deepStrictEqual([jpeg.format, auto.format], ["jpeg", "png"]);
    const white = (await Jimp.fromBuffer(jpeg.bytes)).getPixelColor(20, 20);
    assert.ok(white >>> 8 >= 0xf8f8f8, `transparent pixels become white in the JPEG, got ${white.toString(16)}`);
    assert.strictEqual((await Jimp.fromBuffer(auto.bytes)).getPixelColor(20, 20) & 0xff, 0, "and stay transparent in the PNG");
  });
});
