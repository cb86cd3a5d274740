import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { FUNCTION_HANDLER, FUNCTION_RUNTIME } from "../../contract/runtime";
import { ESBUILD_TARGET } from "../../function/build";
import { EnvVar } from "../../contract/environment";
import { METRICS_NAMESPACE, SERVICE_NAME } from "../../contract/metrics";
import { bundleSha256, codeObjectKey, directoryFiles } from "../../infra/compute/codeArtifact";
import { decodeTimeoutMs } from "../../contract/decodeLimits";
import { one, runWith, STACKS, stackRun } from "../helpers/program";

const FUNCTION = "aws-native:lambda:Function";

describe("Thumbnail function", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("runs the bundle's handler on a current Node.js runtime, on arm64", async () => {
        const fn = one(await stackRun(stack), FUNCTION);
        assert.strictEqual(fn.inputs.runtime, FUNCTION_RUNTIME);
        assert.match(fn.inputs.runtime, /^nodejs(22|24)\.x$/);
        assert.strictEqual(fn.inputs.handler, FUNCTION_HANDLER);
        assert.deepStrictEqual(fn.inputs.architectures, ["arm64"]);
      });

      it("bundles for the Node.js version of the runtime it deploys", () => {
        assert.strictEqual(ESBUILD_TARGET, FUNCTION_RUNTIME.replace(/^nodejs(\d+)\.x$/, "node$1"));
      });

      it("takes memory and timeout from the config", async () => {
        const run = await stackRun(stack);
        const fn = one(run, FUNCTION);
        assert.strictEqual(fn.inputs.memorySize, Number(run.config["thumbnail-pipeline:functionMemoryMb"]));
        assert.strictEqual(fn.inputs.timeout, Number(run.config["thumbnail-pipeline:functionTimeoutSeconds"]));
      });

      it("deploys the built bundle from the artifact bucket under a key named by the bundle's content, with no object version", async () => {
        const run = await stackRun(stack);
        const fn = one(run, FUNCTION);
        const code = one(run, "aws:s3/bucketObjectv2:BucketObjectv2");
        const artifacts = one(run, "aws-native:s3:Bucket", "artifacts");
        assert.strictEqual(code.inputs.bucket, artifacts.state.bucketName);
        assert.strictEqual(code.inputs.source.kind, "FileArchive");
        const archivePath: string = code.inputs.source.path;
        assert.ok(fs.existsSync(path.join(archivePath, "index.js")), "the archive directory holds the built bundle");
        assert.strictEqual(code.inputs.key, codeObjectKey(fn.inputs.functionName, bundleSha256(directoryFiles(archivePath))));
        // A version id would depend on the bucket's versioning, which may not have propagated yet.
        assert.deepStrictEqual(fn.inputs.code, { s3Bucket: artifacts.state.bucketName, s3Key: code.inputs.key });
        assert.ok(fn.dependencies.includes(code.urn), "the function waits for its code");
      });

      it("passes every setting the function reads through the shared environment names", async () => {
        const run = await stackRun(stack);
        const fn = one(run, FUNCTION);
        const vars = fn.inputs.environment.variables;
        const cfg = (k: string) => run.config[`thumbnail-pipeline:${k}`];
        assert.deepStrictEqual(vars, {
          [EnvVar.Environment]: stack,
          [EnvVar.SourceBucket]: run.outputs.sourceBucketName,
          [EnvVar.ThumbnailBucket]: run.outputs.thumbnailBucketName,
          [EnvVar.MetadataTable]: run.outputs.metadataTableName,
          [EnvVar.ThumbnailSizes]: JSON.parse(cfg("thumbnailSizes")).join(","),
          [EnvVar.JpegQuality]: cfg("jpegQuality"),
          [EnvVar.KeepReplacedThumbnails]: cfg("keepReplacedThumbnails"),
          [EnvVar.MaxObjectBytes]: cfg("maxObjectBytes"),
          [EnvVar.MaxImagePixels]: cfg("maxImagePixels"),
          [EnvVar.DecodeTimeoutMs]: String(decodeTimeoutMs(fn.inputs.timeout)),
          [EnvVar.PowertoolsServiceName]: SERVICE_NAME,
          [EnvVar.PowertoolsMetricsNamespace]: METRICS_NAMESPACE,
          [EnvVar.PowertoolsLogLevel]: cfg("logLevel"),
        });
      });

      it("gives one image's decode a budget that leaves part of the function timeout to record a stopped decode", async () => {
        const fn = one(await stackRun(stack), FUNCTION);
        const budgetMs = Number(fn.inputs.environment.variables[EnvVar.DecodeTimeoutMs]);
        assert.ok(
          budgetMs > 0 && budgetMs <= fn.inputs.timeout * 1000 - 10_000,
          `decode budget ${budgetMs} ms within a ${fn.inputs.timeout} s timeout`,
        );
      });

      it("logs JSON to its own log group with the configured retention", async () => {
        const run = await stackRun(stack);
        const fn = one(run, FUNCTION);
        const logGroup = one(run, "aws-native:logs:LogGroup");
        assert.strictEqual(logGroup.inputs.logGroupName, `/aws/lambda/${fn.inputs.functionName}`);
        assert.strictEqual(logGroup.inputs.retentionInDays, Number(run.config["thumbnail-pipeline:logRetentionDays"]));
        assert.strictEqual(fn.inputs.loggingConfig.logFormat, "JSON");
        assert.strictEqual(fn.inputs.loggingConfig.logGroup, logGroup.inputs.logGroupName);
        assert.strictEqual(fn.inputs.loggingConfig.applicationLogLevel, run.config["thumbnail-pipeline:logLevel"]);
        // Lambda sends platform.report (the dashboard's timeouts and crashes) at system level INFO.
        assert.ok(
          ["INFO", "DEBUG"].includes(fn.inputs.loggingConfig.systemLogLevel),
          `systemLogLevel ${fn.inputs.loggingConfig.systemLogLevel} drops platform.report`,
        );
        assert.ok(fn.dependencies.includes(logGroup.urn), "the log group exists before the function writes");
      });

      it("runs as the stack's execution role", async () => {
        const run = await stackRun(stack);
        assert.strictEqual(one(run, FUNCTION).inputs.role, one(run, "aws-native:iam:Role").state.arn);
      });
    });
  }

  describe("dev and prod", () => {
    it("keeps prod's logs longer than dev's", async () => {
      const days = async (s: "dev" | "prod") => one(await stackRun(s), "aws-native:logs:LogGroup").inputs.retentionInDays;
      assert.ok((await days("prod")) > (await days("dev")));
    });

    it("reserves concurrency in prod as a cost guard, and not in dev", async () => {
      assert.strictEqual(one(await stackRun("dev"), FUNCTION).inputs.reservedConcurrentExecutions, undefined);
      assert.strictEqual(one(await stackRun("prod"), FUNCTION).inputs.reservedConcurrentExecutions, 100);
    });
  });

  for (const logLevel of ["WARN", "ERROR"]) {
    it(`keeps Lambda's log filter at INFO with logLevel ${logLevel}, since it would drop the metrics (EMF lines carry no level, so Lambda counts them as INFO)`, async () => {
      const fn = one(await runWith({ stack: "prod", config: { logLevel } }), FUNCTION);
      assert.strictEqual(fn.inputs.loggingConfig.applicationLogLevel, "INFO");
    });
  }

  it("follows config overrides (sizes, memory, timeout, quality)", async () => {
    const run = await runWith({
      stack: "dev",
      config: { thumbnailSizes: [512, 128], functionMemoryMb: 3008, functionTimeoutSeconds: 120, jpegQuality: 70 },
    });
    const fn = one(run, FUNCTION);
    assert.strictEqual(fn.inputs.memorySize, 3008);
    assert.strictEqual(fn.inputs.timeout, 120);
    assert.strictEqual(fn.inputs.environment.variables[EnvVar.ThumbnailSizes], "128,512");
    assert.strictEqual(fn.inputs.environment.variables[EnvVar.JpegQuality], "70");
  });

  it("hands configured renditions and the WebP quality to the function instead of the sizes", async () => {
    const renditions = [{ name: "grid", width: 256, height: 256, fit: "cover", formats: ["webp", "jpeg"] }];
    const fn = one(await runWith({ stack: "dev", config: { renditions: JSON.stringify(renditions), webpQuality: 70 } }), FUNCTION);
    const variables = fn.inputs.environment.variables;
    assert.deepStrictEqual(JSON.parse(variables[EnvVar.Renditions]), renditions);
    assert.strictEqual(variables[EnvVar.WebpQuality], "70");
    assert.strictEqual(variables[EnvVar.ThumbnailSizes], undefined);
  });
});
