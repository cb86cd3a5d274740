import * as assert from "assert";
import { createHash } from "crypto";
import {
  readConfig,
  renditionsOf,
  FunctionEnvironmentError,
  CONFIG_DEFAULTS,
  defaultProcessMemoryLimitBytes,
} from "../../function/src/config";
import { RENDITION_ENGINE_VERSION, renditionSpecOf } from "../../contract/renditionSpec";
import { EnvVar, LambdaRuntimeEnvVar } from "../../contract/environment";

const REQUIRED = {
  [EnvVar.Environment]: "dev",
  [EnvVar.SourceBucket]: "uploads",
  [EnvVar.ThumbnailBucket]: "thumbs",
  [EnvVar.MetadataTable]: "ImageMetadata",
};

describe("function configuration (environment variables)", () => {
  it("applies the stack's defaults when optional variables are unset", () => {
    const config = readConfig(REQUIRED);
    assert.deepStrictEqual(config, {
      environment: "dev",
      sourceBucket: "uploads",
      thumbnailBucket: "thumbs",
      metadataTable: "ImageMetadata",
      thumbnailSizes: [256],
      jpegQuality: 80,
      webpQuality: 80,
      maxObjectBytes: CONFIG_DEFAULTS.maxObjectBytes,
      maxImagePixels: 50_000_000,
      decodeTimeoutMs: 30_000,
      processMemoryLimitBytes: defaultProcessMemoryLimitBytes(),
      keepReplacedThumbnails: false,
    });
  });

  it("bounds the process at 90% of the memory size the Lambda runtime names", () => {
    const config = readConfig({ ...REQUIRED, [LambdaRuntimeEnvVar.FunctionMemorySize]: "1280", [EnvVar.DecodeTimeoutMs]: "12000" });
    assert.deepStrictEqual([config.processMemoryLimitBytes, config.decodeTimeoutMs], [Math.floor(1280 * 2 ** 20 * 0.9), 12_000]);
  });

  it("reads several sizes, largest first", () => {
    const config = readConfig({
      ...REQUIRED,
      [EnvVar.ThumbnailSizes]: "128, 512",
      [EnvVar.JpegQuality]: "72",
      [EnvVar.MaxImagePixels]: "1000",
    });
    assert.deepStrictEqual([config.thumbnailSizes, config.jpegQuality, config.maxImagePixels], [[512, 128], 72, 1000]);
  });

  it("names every missing required variable at once", () => {
    assert.throws(
      () => readConfig({}),
      (err: unknown) =>
        err instanceof FunctionEnvironmentError &&
        err.problems.length === 4 &&
        [EnvVar.Environment, EnvVar.SourceBucket, EnvVar.ThumbnailBucket, EnvVar.MetadataTable].every((name) =>
          err.message.includes(`${name} is not set`),
        ),
    );
  });

  describe(EnvVar.Renditions, () => {
    const grid = { name: "grid", width: 64, height: 64, fit: "cover", formats: ["jpeg"] };
    it("replaces THUMBNAIL_SIZES: renditionsOf gives them, or the sizes as renditions named by the size", () => {
      const config = readConfig({ ...REQUIRED, [EnvVar.Renditions]: JSON.stringify([grid]) });
      assert.deepStrictEqual(renditionsOf(config), [grid]);
      const sized = readConfig({ ...REQUIRED, [EnvVar.ThumbnailSizes]: "128,512" });
      assert.strictEqual(sized.renditions, undefined);
      assert.deepStrictEqual(
        renditionsOf(sized).map((r) => [r.name, r.width, r.height, r.fit, r.formats]),
        [
          ["512", 512, 512, "inside", ["auto"]],
          ["128", 128, 128, "inside", ["auto"]],
        ],
      );
    });
    it("changes the RenditionSpec only when renditions are configured", () => {
      const sized = readConfig({ ...REQUIRED, [EnvVar.ThumbnailSizes]: "256" });
      // The fingerprint a thumbnailSizes config had before renditions, so a backfill leaves its records alone.
      const before = JSON.stringify({ engine: RENDITION_ENGINE_VERSION, sizes: [256], jpegQuality: 80 });
      assert.strictEqual(renditionSpecOf(sized), createHash("sha256").update(before).digest("hex").slice(0, 12));
      const named = readConfig({ ...REQUIRED, [EnvVar.Renditions]: JSON.stringify([grid]) });
      const renamed = readConfig({ ...REQUIRED, [EnvVar.Renditions]: JSON.stringify([{ ...grid, name: "tile" }]) });
      assert.notStrictEqual(renditionSpecOf(named), renditionSpecOf(sized));
      assert.notStrictEqual(renditionSpecOf(named), renditionSpecOf(renamed));
    });
    for (const [what, env, rule] of [
      [
        "both variables",
        { [EnvVar.Renditions]: JSON.stringify([grid]), [EnvVar.ThumbnailSizes]: "256" },
        /RENDITIONS and THUMBNAIL_SIZES="256" are both set/,
      ],
      ["JSON that does not parse", { [EnvVar.Renditions]: "[{" }, /RENDITIONS='\[\{' must be JSON/],
      [
        "a bad name",
        { [EnvVar.Renditions]: JSON.stringify([{ ...grid, name: "-x" }]) },
        /RENDITIONS='.*-x.*': rendition 1 \("-x"\) name "-x" must match/,
      ],
      [
        "a size out of range",
        { [EnvVar.Renditions]: JSON.stringify([{ ...grid, width: 5000 }]) },
        /width 5000 must be an integer from 16 to 4096/,
      ],
      ["an unknown format", { [EnvVar.Renditions]: JSON.stringify([{ ...grid, formats: ["bmp"] }]) }, /format "bmp" must be one of/],
    ] as const) {
      it(`refuses ${what}, naming the variable, the value and the rule`, () => {
        assert.throws(() => readConfig({ ...REQUIRED, ...env }), rule);
      });
    }
  });

  for (const [name, value, rule] of [
    [EnvVar.ThumbnailSizes, "256,abc", /THUMBNAIL_SIZES="256,abc" must be 1 to 5 distinct comma-separated integers from 16 to 4096/],
    [EnvVar.ThumbnailSizes, "8", /from 16 to 4096/],
    [EnvVar.ThumbnailSizes, "256,256", /distinct/],
    [EnvVar.ThumbnailSizes, "16,32,64,128,256,512", /1 to 5/],
    [EnvVar.JpegQuality, "0", /THUMBNAIL_JPEG_QUALITY="0" must be an integer from 1 to 100/],
    [EnvVar.JpegQuality, "80.5", /must be an integer/],
    [EnvVar.WebpQuality, "101", /THUMBNAIL_WEBP_QUALITY="101" must be an integer from 1 to 100/],
    [EnvVar.MaxObjectBytes, "-1", /MAX_OBJECT_BYTES="-1" must be an integer/],
    [EnvVar.MaxImagePixels, "lots", /MAX_IMAGE_PIXELS="lots" must be an integer/],
    [EnvVar.DecodeTimeoutMs, "5", /DECODE_TIMEOUT_MS="5" must be an integer from 100 to 900000/],
    [EnvVar.KeepReplacedThumbnails, "yes", /KEEP_REPLACED_THUMBNAILS="yes" must be "true" or "false"/],
    [LambdaRuntimeEnvVar.FunctionMemorySize, "64", /AWS_LAMBDA_FUNCTION_MEMORY_SIZE="64" must be an integer from 128 to 10240/],
  ] as const) {
    it(`refuses ${name}=${JSON.stringify(value)}, naming the variable, the value and the rule`, () => {
      assert.throws(() => readConfig({ ...REQUIRED, [name]: value }), rule);
    });
  }
});
