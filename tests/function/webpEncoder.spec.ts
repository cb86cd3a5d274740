/**
 * WebP thumbnails: lossy colour with alpha kept, the configured quality, and libwebp's encoder
 * loaded only when a rendition asks for WebP (checked in a fresh process, support/decoderLoading.ts).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { Jimp } from "jimp";
import { makeThumbnails, type ThumbnailOptions } from "../../function/src/core/thumbnailer";
import { decodeWebp } from "../../function/src/core/webp/decode";
import { WASM_FILES } from "../../function/src/core/wasmFiles";
import type { Rendition } from "../../contract/renditions";
import { encode, solid } from "./support/images";

const WEBP: Rendition = { name: "grid", width: 100, height: 100, fit: "inside", formats: ["webp"] };

function options(webpQuality?: number, ...renditions: Rendition[]): ThumbnailOptions {
  return { sizes: [], renditions: renditions.length ? renditions : [WEBP], jpegQuality: 80, webpQuality, maxPixels: 50_000_000 };
}

/** A left-to-right gradient, half of it transparent: detail for the lossy coder and alpha to keep. */
function halfTransparent(): InstanceType<typeof Jimp> {
  const image = new Jimp({ width: 300, height: 200, color: 0x00000000 });
  for (let y = 0; y < 200; y++)
    for (let x = 0; x < 150; x++) image.setPixelColor(((((x * 255) / 150) << 24) | (y << 8) | 0xff) >>> 0, x, y);
  return image;
}

describe("WebP thumbnails", function () {
  this.timeout(60_000);

  it("encodes a WebP of the rendition's size, with content type image/webp", async () => {
    const [t] = (await makeThumbnails(await solid(400, 300, "image/jpeg"), options())).thumbnails;
    assert.deepStrictEqual([t.format, t.contentType, t.width, t.height], ["webp", "image/webp", 100, 75]);
    assert.deepStrictEqual([t.bytes.subarray(0, 4).toString("latin1"), t.bytes.subarray(8, 12).toString("latin1")], ["RIFF", "WEBP"]);
    const back = decodeWebp(t.bytes);
    assert.deepStrictEqual([back.width, back.height], [100, 75]);
  });

  it("keeps transparency: transparent pixels stay transparent and opaque ones opaque", async () => {
    const [t] = (await makeThumbnails(await encode(halfTransparent(), "image/png"), options())).thumbnails;
    const back = decodeWebp(t.bytes);
    const alphaAt = (x: number, y: number) => back.data[(y * back.width + x) * 4 + 3];
    assert.deepStrictEqual([alphaAt(10, 30), alphaAt(90, 30)], [0xff, 0]);
  });

  it("encodes at the configured quality: lower quality, fewer bytes", async () => {
    const png = await encode(halfTransparent(), "image/png");
    const [low] = (await makeThumbnails(png, options(30))).thumbnails;
    const [high] = (await makeThumbnails(png, options(95))).thumbnails;
    assert.ok(low.bytes.length < high.bytes.length, `quality 30: ${low.bytes.length} bytes, 95: ${high.bytes.length}`);
  });

  describe("loading", () => {
    let dir: string;
    let jpeg: string;
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "webp-encoder-loading-"));
      jpeg = path.join(dir, "photo.jpg");
      fs.writeFileSync(jpeg, await solid(300, 200, "image/jpeg"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    function loaded(renditions: Rendition[]): { encoderGlue: string[]; compiledBytes: number[] } {
      const run = spawnSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(__dirname, "support", "decoderLoading.ts"), jpeg],
        { encoding: "utf8", env: { ...process.env, LOADING_RENDITIONS: JSON.stringify(renditions) } },
      );
      assert.strictEqual(run.status, 0, run.stderr);
      const stage = JSON.parse(run.stdout.trim()) as { modules: string[]; compiledBytes: number[] };
      return {
        encoderGlue: stage.modules.filter((m) => m.includes(`${path.sep}@jsquash${path.sep}webp${path.sep}codec${path.sep}enc${path.sep}`)),
        compiledBytes: stage.compiledBytes,
      };
    }
    const encoderBytes = () => fs.statSync(require.resolve(WASM_FILES.webpEncoder.npmPath)).size;

    it("a JPEG-only configuration never loads or compiles libwebp's encoder", () => {
      const stage = loaded([{ ...WEBP, formats: ["jpeg"] }]);
      assert.deepStrictEqual(stage.encoderGlue, []);
      assert.ok(!stage.compiledBytes.includes(encoderBytes()), `compiled: ${stage.compiledBytes.join(", ")}`);
    });

    it("a rendition with WebP loads and compiles it", () => {
      const stage = loaded([WEBP]);
      assert.ok(stage.encoderGlue.length > 0, "the encoder's glue loaded");
      assert.ok(stage.compiledBytes.includes(encoderBytes()), `compiled: ${stage.compiledBytes.join(", ")}`);
    });
  });
});
