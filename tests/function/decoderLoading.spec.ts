/**
 * Cold start: each WASM decoder (its JS glue and its module) is loaded only when an image of its
 * format arrives, so a container that sees only JPEGs never pays for WebP, AVIF or HEIC. Checked in a
 * fresh process (support/decoderLoading.ts), which reports the modules loaded and the WASM
 * modules compiled after each image.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { WASM_FILES, type WasmFile } from "../../function/src/core/wasmFiles";
import { solid } from "./support/images";

interface Stage {
  modules: string[];
  compiledBytes: number[];
}

const size = (file: WasmFile) => fs.statSync(require.resolve(file.npmPath)).size;
const glue = (stage: Stage, pkg: string) => stage.modules.filter((m) => m.includes(`${path.sep}${pkg}${path.sep}`));

describe("decoder loading", function () {
  this.timeout(60_000);
  let stages: Stage[];
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "decoder-loading-"));
    const jpeg = path.join(dir, "photo.jpg");
    fs.writeFileSync(jpeg, await solid(300, 200, "image/jpeg"));
    const fixtures = path.join(__dirname, "fixtures");
    const files = [
      jpeg,
      path.join(fixtures, "webp", "lossy.webp"),
      path.join(fixtures, "avif", "8bit.avif"),
      path.join(fixtures, "heic", "8bit.heic"),
    ];
    const run = spawnSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", path.join(__dirname, "support", "decoderLoading.ts"), ...files],
      {
        encoding: "utf8",
      },
    );
    assert.strictEqual(run.status, 0, run.stderr);
    stages = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Stage);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a JPEG compiles libjpeg-turbo alone and loads none of the other decoders", () => {
    assert.deepStrictEqual(stages[0].compiledBytes, [size(WASM_FILES.jpeg)]);
    assert.deepStrictEqual(
      [glue(stages[0], "@jsquash/webp"), glue(stages[0], "@jsquash/avif"), glue(stages[0], "libheif-js")],
      [[], [], []],
    );
  });

  it("a WebP then loads libwebp, and still not libavif", () => {
    assert.deepStrictEqual(stages[1].compiledBytes, [size(WASM_FILES.jpeg), size(WASM_FILES.webp)]);
    assert.ok(glue(stages[1], "@jsquash/webp").length > 0, "libwebp's glue loaded");
    assert.deepStrictEqual(glue(stages[1], "@jsquash/avif"), []);
  });

  it("an AVIF then loads libavif, and still not libheif", () => {
    assert.deepStrictEqual(stages[2].compiledBytes, [size(WASM_FILES.jpeg), size(WASM_FILES.webp), size(WASM_FILES.avif)]);
    assert.ok(glue(stages[2], "@jsquash/avif").length > 0, "libavif's glue loaded");
    assert.deepStrictEqual(glue(stages[2], "libheif-js"), []);
  });

  it("a HEIC then loads libheif", () => {
    assert.deepStrictEqual(stages[3].compiledBytes, [
      size(WASM_FILES.jpeg),
      size(WASM_FILES.webp),
      size(WASM_FILES.avif),
      size(WASM_FILES.heic),
    ]);
    assert.ok(glue(stages[3], "libheif-js").length > 0, "libheif's glue loaded");
  });
});
