import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EnvVar } from "../../contract/environment";
import { decodeTimeoutMs } from "../../contract/decodeLimits";
import { validateConfig } from "../../infra/config";
import { deriveBucketName, physicalName, Purpose } from "../../infra/naming";
import { UsageError } from "../../tools/cli";
import { loadStack } from "../../local/stack";

describe("local stack settings", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "local-stack-spec-"));
    fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: thumbs\nruntime: nodejs\n");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("names the buckets, table and function as the infra naming module does, and sets the function's variables from the config", () => {
    fs.writeFileSync(
      path.join(root, "Pulumi.qa.yaml"),
      "config:\n  aws:region: eu-west-1\n  thumbs:environment: staging\n  thumbs:thumbnailSizes: [512, 128]\n  thumbs:thumbnailBucketName: my-thumbs\n  thumbs:asyncMaxRetryAttempts: 1\n",
    );
    const stack = loadStack("qa", root);
    assert.equal(stack.region, "eu-west-1");
    assert.equal(
      stack.sourceBucketName,
      deriveBucketName({ project: "thumbs", stack: "qa", purpose: Purpose.sourceBucket, accountId: stack.accountId, region: "eu-west-1" }),
    );
    assert.equal(stack.thumbnailBucketName, "my-thumbs");
    assert.equal(stack.tableName, physicalName("thumbs", "staging", Purpose.table));
    assert.equal(stack.functionName, physicalName("thumbs", "staging", Purpose.function));
    assert.equal(stack.maximumRetryAttempts, 1);
    assert.deepEqual(
      Object.keys(stack.functionEnvironment).sort(),
      Object.values(EnvVar)
        .filter((name) => name !== EnvVar.Renditions && name !== EnvVar.WebpQuality)
        .sort(),
      "every variable of the environment contract is set but RENDITIONS and THUMBNAIL_WEBP_QUALITY, which take THUMBNAIL_SIZES' place when renditions are configured",
    );
    const defaults = validateConfig({});
    assert.deepEqual(stack.functionEnvironment, {
      [EnvVar.Environment]: "staging",
      [EnvVar.SourceBucket]: stack.sourceBucketName,
      [EnvVar.ThumbnailBucket]: "my-thumbs",
      [EnvVar.MetadataTable]: stack.tableName,
      [EnvVar.ThumbnailSizes]: "128,512",
      [EnvVar.JpegQuality]: String(defaults.jpegQuality),
      [EnvVar.KeepReplacedThumbnails]: String(defaults.keepReplacedThumbnails),
      [EnvVar.MaxObjectBytes]: String(defaults.maxObjectBytes),
      [EnvVar.MaxImagePixels]: String(defaults.maxImagePixels),
      [EnvVar.DecodeTimeoutMs]: String(decodeTimeoutMs(defaults.functionTimeoutSeconds)),
      [EnvVar.PowertoolsServiceName]: stack.functionEnvironment[EnvVar.PowertoolsServiceName],
      [EnvVar.PowertoolsMetricsNamespace]: stack.functionEnvironment[EnvVar.PowertoolsMetricsNamespace],
      [EnvVar.PowertoolsLogLevel]: defaults.logLevel,
    });
  });

  it("hands configured renditions to the function as RENDITIONS (JSON, defaults applied) instead of THUMBNAIL_SIZES", () => {
    fs.writeFileSync(
      path.join(root, "Pulumi.qa.yaml"),
      "config:\n  thumbs:renditions: [{name: grid, width: 64, fit: cover, formats: [jpeg, png]}, {name: big, width: 512}]\n",
    );
    const variables = loadStack("qa", root).functionEnvironment;
    assert.equal(variables[EnvVar.ThumbnailSizes], undefined);
    assert.equal(variables[EnvVar.WebpQuality], "80");
    assert.deepEqual(JSON.parse(variables[EnvVar.Renditions]), [
      { name: "grid", width: 64, height: 64, fit: "cover", formats: ["jpeg", "png"] },
      { name: "big", width: 512, height: 512, fit: "inside", formats: ["auto"] },
    ]);
  });

  it("refuses an unknown stack, listing the stacks there are", () => {
    fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), "config: {}\n");
    assert.throws(
      () => loadStack("qa", root),
      (err: unknown) => err instanceof UsageError && /--stack qa: no Pulumi.qa.yaml.*stacks: dev/.test(err.message),
    );
  });

  it("refuses an invalid config value with the config module's message, naming the file", () => {
    fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), "config:\n  thumbs:jpegQuality: 0\n");
    assert.throws(
      () => loadStack("dev", root),
      (err: unknown) => err instanceof UsageError && /Pulumi.dev.yaml: .*jpegQuality/.test(err.message),
    );
  });

  it("reads this project's dev and prod stacks", () => {
    for (const name of ["dev", "prod"]) {
      const stack = loadStack(name);
      assert.equal(stack.config.environment, name);
      assert.ok(stack.sourceBucketName !== stack.thumbnailBucketName);
    }
  });
});
