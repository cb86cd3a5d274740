import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_DEFAULTS as FUNCTION_DEFAULTS } from "../../function/src/config";
import { CONFIG_KEYS, ConfigError, validateConfig, type RawConfig } from "../../infra/config";
import { REPO_ROOT, readProjectFile, runWith, stackConfig } from "../helpers/program";

function rejects(raw: RawConfig, key: string, valueText: string, rule: RegExp): void {
  assert.throws(
    () => validateConfig(raw),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
      assert.strictEqual(err.key, key);
      assert.ok(err.message.includes(key), `message names the key: ${err.message}`);
      assert.ok(err.message.includes(valueText), `message names the value ${valueText}: ${err.message}`);
      assert.match(err.message, rule);
      return true;
    },
  );
}

describe("Config", () => {
  describe("validateConfig", () => {
    it("applies every default when nothing is set", () => {
      const c = validateConfig({});
      assert.strictEqual(c.environment, "dev");
      assert.deepStrictEqual(c.thumbnailSizes, [256]);
      assert.strictEqual(c.functionMemoryMb, 1280);
      assert.strictEqual(c.functionTimeoutSeconds, 60);
      assert.strictEqual(c.sourceBucketName, undefined);
      assert.strictEqual(c.alarmEmail, undefined);
      assert.deepStrictEqual(c.extraTags, {});
    });

    it("parses values as the Pulumi CLI passes them (strings, JSON lists and maps)", () => {
      const c = validateConfig({
        environment: "prod",
        thumbnailSizes: "[512, 128]",
        functionMemoryMb: "2048",
        sourceVersioning: "true",
        extraTags: '{"CostCenter":"media"}',
        sourceBucketName: "my-uploads",
      });
      assert.strictEqual(c.environment, "prod");
      assert.deepStrictEqual(c.thumbnailSizes, [128, 512], "sizes are sorted ascending");
      assert.strictEqual(c.functionMemoryMb, 2048);
      assert.strictEqual(c.sourceVersioning, true);
      assert.deepStrictEqual(c.extraTags, { CostCenter: "media" });
      assert.strictEqual(c.sourceBucketName, "my-uploads");
    });

    it("accepts comma-separated thumbnail sizes", () => {
      assert.deepStrictEqual(validateConfig({ thumbnailSizes: "128, 512" }).thumbnailSizes, [128, 512]);
    });

    it("rejects an environment outside dev, staging and prod", () => {
      rejects({ environment: "test" }, "environment", '"test"', /one of dev, staging, prod/);
    });
    it("rejects a bucket name that breaks S3's naming rules", () => {
      rejects({ sourceBucketName: "My_Bucket" }, "sourceBucketName", '"My_Bucket"', /lower-case letters/);
      rejects({ thumbnailBucketName: "ab" }, "thumbnailBucketName", '"ab"', /3–63 characters/);
      rejects({ sourceBucketName: "-leading" }, "sourceBucketName", '"-leading"', /begin and end/);
      rejects({ sourceBucketName: "192.168.1.1" }, "sourceBucketName", "192.168.1.1", /IP address/);
      rejects({ sourceBucketName: "with.dots" }, "sourceBucketName", "with.dots", /dots break HTTPS/);
    });
    it("rejects the same bucket for sources and thumbnails (the function would re-trigger itself)", () => {
      rejects({ sourceBucketName: "same-bucket", thumbnailBucketName: "same-bucket" }, "thumbnailBucketName", "same-bucket", /re-trigger/);
    });
    it("rejects a timeout outside 1–900 seconds", () => {
      rejects({ functionTimeoutSeconds: "0" }, "functionTimeoutSeconds", ": 0 ", /between 1 and 900/);
      rejects({ functionTimeoutSeconds: 901 }, "functionTimeoutSeconds", "901", /between 1 and 900/);
      rejects({ functionTimeoutSeconds: "ten" }, "functionTimeoutSeconds", '"ten"', /integer/);
    });
    it("rejects memory outside Lambda's 128–10240 MB", () => {
      rejects({ functionMemoryMb: 64 }, "functionMemoryMb", "64", /between 128 and 10240/);
    });
    it("rejects a log retention CloudWatch does not accept", () => {
      rejects({ logRetentionDays: 10 }, "logRetentionDays", "10", /one of 1, 3, 5, 7, 14/);
    });
    it("rejects thumbnail sizes out of range, duplicated or too many", () => {
      rejects({ thumbnailSizes: [8] }, "thumbnailSizes", "[8]", /16 and 4096/);
      rejects({ thumbnailSizes: [128, 128] }, "thumbnailSizes", "[128,128]", /unique/);
      rejects({ thumbnailSizes: [] }, "thumbnailSizes", "[]", /1 to 5/);
      rejects({ thumbnailSizes: "[128, 1.5]" }, "thumbnailSizes", "1.5", /integers/);
    });
    describe("renditions", () => {
      const grid = { name: "grid", width: 256, height: 128, fit: "cover", formats: ["jpeg", "png"] };
      it("parses a JSON list, applying height = width, fit inside and format auto", () => {
        const c = validateConfig({ renditions: JSON.stringify([grid, { name: "preview", width: 1024 }]) });
        assert.deepStrictEqual(c.renditions, [grid, { name: "preview", width: 1024, height: 1024, fit: "inside", formats: ["auto"] }]);
      });
      it("is unset by default and when empty, so thumbnailSizes applies", () => {
        assert.strictEqual(validateConfig({}).renditions, undefined);
        assert.strictEqual(validateConfig({ renditions: "[]" }).renditions, undefined);
      });
      it("refuses renditions set together with thumbnailSizes, naming both keys", () => {
        rejects({ renditions: [grid], thumbnailSizes: [128] }, "renditions", "grid", /together with thumbnailSizes \(\[128\]\)/);
      });
      it("refuses a name that is not S3-key-safe, naming the rendition and the rule", () => {
        rejects({ renditions: [{ ...grid, name: "Grid/1" }] }, "renditions", "Grid/1", /rendition 1 \("Grid\/1"\) name .* must match/);
      });
      it("refuses repeated names, sizes out of range, unknown fits and formats", () => {
        rejects({ renditions: [grid, grid] }, "renditions", "grid", /names must be unique; repeated: grid/);
        rejects({ renditions: [{ ...grid, width: 8 }] }, "renditions", "8", /width 8 must be an integer from 16 to 4096/);
        rejects({ renditions: [{ ...grid, height: 5000 }] }, "renditions", "5000", /height 5000 must be an integer from 16 to 4096/);
        rejects({ renditions: [{ ...grid, fit: "fill" }] }, "renditions", "fill", /fit "fill" must be one of inside, cover/);
        rejects({ renditions: [{ ...grid, formats: ["gif"] }] }, "renditions", "gif", /format "gif" must be one of auto, jpeg, png, webp/);
        rejects({ renditions: [{ ...grid, formats: ["auto", "jpeg"] }] }, "renditions", "auto", /may not combine "auto" with "jpeg"/);
        rejects({ renditions: [{ ...grid, colour: "red" }] }, "renditions", "colour", /unknown field "colour"/);
      });
      it("refuses more than 5 renditions or 10 outputs", () => {
        const many = (n: number, formats: string[]) => Array.from({ length: n }, (_, i) => ({ name: `r${i}`, width: 64, formats }));
        rejects({ renditions: many(6, ["auto"]) }, "renditions", "r5", /1 to 5 renditions, got 6/);
        rejects({ renditions: many(4, ["jpeg", "png", "auto"]) }, "renditions", "r3", /at most 10 outputs, got 12/);
      });
      it("refuses a value that is not a JSON list", () => {
        rejects({ renditions: "{grid" }, "renditions", "{grid", /must be a JSON list/);
      });
    });
    it("rejects a JPEG or WebP quality outside 1–100", () => {
      rejects({ jpegQuality: 101 }, "jpegQuality", "101", /between 1 and 100/);
      rejects({ webpQuality: 0 }, "webpQuality", "0", /between 1 and 100/);
    });
    it("rejects a pixel limit whose decoded bitmap would not fit in the function's memory", () => {
      rejects({ maxImagePixels: 200_000_000, functionMemoryMb: 512 }, "maxImagePixels", "200000000", /must fit in functionMemoryMb/);
    });
    it("rejects a pixel limit a full-size PNG decode would run out of memory at (~17 bytes a pixel measured, not 4 × 2)", () => {
      // 100 MP would take ≈ 1.8 GB to decode as PNG: the function would crash instead of recording TooManyPixels.
      rejects({ maxImagePixels: 100_000_000 }, "maxImagePixels", "100000000", /must fit in functionMemoryMb \(1280 MB\)/);
      rejects(
        { maxImagePixels: 50_000_000, functionMemoryMb: 1024 },
        "maxImagePixels",
        "50000000",
        /raise functionMemoryMb or lower maxImagePixels/,
      );
      assert.strictEqual(validateConfig({ maxImagePixels: 100_000_000, functionMemoryMb: 2560 }).maxImagePixels, 100_000_000);
    });
    it("rejects an upload limit that would not fit in the function's memory", () => {
      rejects(
        { maxObjectBytes: 200 * 1024 * 1024, functionMemoryMb: 512, maxImagePixels: 10_000_000 },
        "maxObjectBytes",
        "209715200",
        /quarter of functionMemoryMb/,
      );
    });
    it("uses the same thumbnail defaults as the function does when a variable is unset", () => {
      const c = validateConfig({});
      assert.deepStrictEqual(c.thumbnailSizes, [...FUNCTION_DEFAULTS.thumbnailSizes]);
      assert.strictEqual(c.jpegQuality, FUNCTION_DEFAULTS.jpegQuality);
      assert.strictEqual(c.maxObjectBytes, FUNCTION_DEFAULTS.maxObjectBytes);
      assert.strictEqual(c.maxImagePixels, FUNCTION_DEFAULTS.maxImagePixels);
      assert.strictEqual(c.keepReplacedThumbnails, FUNCTION_DEFAULTS.keepReplacedThumbnails);
    });
    it("rejects asynchronous retry settings outside Lambda's limits", () => {
      rejects({ asyncMaxRetryAttempts: 3 }, "asyncMaxRetryAttempts", "3", /between 0 and 2/);
      rejects({ asyncMaxEventAgeSeconds: 59 }, "asyncMaxEventAgeSeconds", "59", /between 60 and 21600/);
      rejects({ asyncMaxEventAgeSeconds: 21601 }, "asyncMaxEventAgeSeconds", "21601", /between 60 and 21600/);
    });
    it("rejects a transition to STANDARD_IA before 30 days", () => {
      rejects({ sourceTransitionDays: 10, sourceTransitionStorageClass: "STANDARD_IA" }, "sourceTransitionDays", "10", /30 days/);
      rejects({ sourceTransitionStorageClass: "COLD" }, "sourceTransitionStorageClass", '"COLD"', /one of STANDARD_IA/);
    });
    it("rejects extra tags that override the stack's tags or break AWS's tag rules", () => {
      rejects({ extraTags: { Environment: "x" } }, "extraTags.Environment", "Environment", /cannot be overridden/);
      rejects({ extraTags: { "aws:owner": "x" } }, "extraTags.aws:owner", "aws:owner", /reserved by AWS/);
      rejects({ extraTags: { Owner: "x".repeat(257) } }, "extraTags.Owner", "xxx", /at most 256/);
      rejects({ extraTags: '["not", "a map"]' }, "extraTags", "not", /map of string values/);
    });
    it("rejects an alarm e-mail that is not an address", () => {
      rejects({ alarmEmail: "ops-at-example" }, "alarmEmail", "ops-at-example", /e-mail address/);
    });
    it("rejects an idle alarm longer than CloudWatch's 7 days of hourly periods and a failed-images threshold below 1", () => {
      rejects({ idleAlarmHours: 169 }, "idleAlarmHours", "169", /between 0 and 168/);
      assert.equal(validateConfig({ idleAlarmHours: 168 }).idleAlarmHours, 168, "the alarms' own limit, one rule (issue 13)");
      rejects({ failedImagesAlarmThreshold: 0 }, "failedImagesAlarmThreshold", "0", /at least 1/);
    });
    it("rejects booleans that are not true or false", () => {
      rejects({ sourceVersioning: "yes" }, "sourceVersioning", '"yes"', /true or false/);
    });
    it("rejects an unknown key and suggests the closest one", () => {
      rejects({ functionmemorymb: 1024 }, "functionmemorymb", "1024", /did you mean "functionMemoryMb"/);
    });
  });

  describe("Pulumi.yaml", () => {
    const project = readProjectFile();
    const declared = project.config as Record<string, { default?: unknown; type?: string; description?: string }>;

    it("declares exactly the keys infra/config.ts knows, each with a description", () => {
      assert.deepStrictEqual(Object.keys(declared).sort(), Object.keys(CONFIG_KEYS).sort());
      for (const [key, d] of Object.entries(declared)) assert.ok(d.description, `${key} has a description`);
    });

    it("has the same defaults as infra/config.ts", () => {
      for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
        assert.deepStrictEqual(declared[key].default, spec.default, `default of ${key}`);
      }
    });

    it("declares types matching how infra/config.ts parses each key", () => {
      const yamlType = {
        string: "string",
        integer: "integer",
        boolean: "boolean",
        integerList: "array",
        list: undefined,
        stringMap: undefined,
      };
      for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
        assert.strictEqual(declared[key].type, yamlType[spec.kind], `type of ${key}`);
      }
    });
  });

  describe("stack files", () => {
    for (const stack of ["dev", "prod"]) {
      it(`Pulumi.${stack}.yaml sets aws:region and aws-native:region to the same region and validates`, () => {
        const file = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8"));
        assert.ok(file.config["aws:region"], "aws:region is set");
        assert.strictEqual(file.config["aws-native:region"], file.config["aws:region"]);
        const config = stackConfig(stack);
        const raw: RawConfig = {};
        for (const [k, v] of Object.entries(config)) if (k.startsWith("thumbnail-pipeline:")) raw[k.split(":")[1]] = v;
        assert.strictEqual(validateConfig(raw).environment, stack);
      });
    }
  });

  describe("the program", () => {
    it("refuses to run with an invalid value, naming the key, value and rule", async () => {
      await assert.rejects(
        runWith({ stack: "dev", config: { functionTimeoutSeconds: 1000 } }),
        /functionTimeoutSeconds.*1000.*between 1 and 900/,
      );
    });
  });
});
