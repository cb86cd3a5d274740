/**
 * The real program, both stacks, through synth: cfn-lint accepts the templates, and the
 * templates hold everything the program registered.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { CODE_BUCKET_PARAMETER, CODE_KEY_PARAMETER, CODE_OBJECT_TYPE } from "../../tools/cfn/codeAsset";
import { DYNAMIC_RESOURCE_TYPE } from "../../tools/cfn/roleReadiness";
import { cfnLint, cfnLintVersion } from "../../tools/cfn/cfnLint";
import { NEWER_THAN_CFN_LINT } from "../../tools/cfn/linterLag";
import { MARKER_SALTS, StackSynthesis, synthesize, writeSynthesis, WrittenFiles } from "../../tools/cfn/synth";
import { readZip } from "../../tools/cfn/zip";

const STACKS = ["dev", "prod"] as const;

describe("CloudFormation templates of the real stacks", function () {
  this.timeout(300_000);
  const synthesized = new Map<string, StackSynthesis>();
  const written = new Map<string, WrittenFiles>();
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cfn-synth-"));
    for (const stack of STACKS) {
      const synthesis = await synthesize({ stack });
      synthesized.set(stack, synthesis);
      written.set(stack, writeSynthesis(synthesis, dir));
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("pass cfn-lint with no errors and no warnings (both stacks, one run)", function () {
    const version = cfnLintVersion();
    if (!version) {
      if (process.env.CI) assert.fail("cfn-lint is not installed, and CI must run this check (pip install cfn-lint)");
      console.log("      cfn-lint is not installed on this machine: skipping the template lint (CI runs it)");
      this.skip();
    }
    // Canaries: a property cfn-lint's schemas lag behind on, without the ignore synth adds.
    const canary = path.join(dir, "linter-lag-canary.yaml");
    const resources: Record<string, unknown> = {};
    for (const [type, properties] of Object.entries(NEWER_THAN_CFN_LINT)) {
      const props: Record<string, unknown> = type === "AWS::CloudWatch::Dashboard" ? { DashboardBody: '{"widgets":[]}' } : {};
      for (const p of properties) props[p] = [{ Key: "k", Value: "v" }];
      resources[`Canary${Object.keys(resources).length}`] = { Type: type, Properties: props };
    }
    fs.writeFileSync(canary, YAML.stringify({ AWSTemplateFormatVersion: "2010-09-09", Resources: resources }));

    const files = STACKS.map((s) => written.get(s)!.template);
    const findings = cfnLint([...files, canary]);
    const serious = findings.filter((f) => f.file !== canary && (f.level === "Error" || f.level === "Warning"));
    assert.deepEqual(
      serious.map((f) => `${path.basename(f.file)}:${f.line} ${f.rule} ${f.message}`),
      [],
      `${version} findings`,
    );
    const lagCaught = findings.filter((f) => f.file === canary && f.rule === "E3002").length;
    assert.ok(
      lagCaught >= Object.keys(NEWER_THAN_CFN_LINT).length,
      `${version} now accepts ${Object.keys(NEWER_THAN_CFN_LINT).join(", ")}: remove them from tools/cfn/linterLag.ts`,
    );
  });

  for (const stack of STACKS) {
    describe(`${stack}`, () => {
      const get = () => synthesized.get(stack)!;

      it("has a resource of the same CloudFormation type for every aws-native resource the program registered", () => {
        const { run, template } = get();
        const urns = new Set(Object.values(template.Resources).map((r) => r.Metadata?.PulumiUrn));
        const native = run.resources.filter((r) => r.custom && r.type.startsWith("aws-native:"));
        assert.ok(native.length >= 10, `expected the pipeline's resources, got ${native.length}`);
        for (const r of native) assert.ok(urns.has(r.urn), `${r.name} (${r.type}) is missing from the template`);
        assert.equal(Object.keys(template.Resources).length, native.length, "no resource is invented");
        for (const r of Object.values(template.Resources)) {
          const registered = native.find((n) => n.urn === r.Metadata?.PulumiUrn)!;
          const [, service, name] = r.Type.split("::");
          assert.equal(registered.type.toLowerCase(), `aws-native:${service}:${name}`.toLowerCase());
        }
      });

      it("leaves out only the code object and the role-readiness wait, and says so in the template", () => {
        const { run, built, yaml } = get();
        const others = run.resources.filter(
          (r) => r.custom && !r.type.startsWith("aws-native:") && !r.type.startsWith("pulumi:providers:"),
        );
        assert.deepEqual(others.map((r) => r.type).sort(), [CODE_OBJECT_TYPE, DYNAMIC_RESOURCE_TYPE].sort());
        assert.deepEqual([...built.leftOut.values()].map((l) => l.resource.urn).sort(), others.map((r) => r.urn).sort());
        assert.match(
          yaml,
          /^# Not in this template \(no CloudFormation resource type\):\n(# +\w+: .*\n)*# +\w+: .*CloudFormation uploads nothing/m,
        );
        assert.match(yaml, /^# +\w+: .*wait for the new execution role to propagate.*CloudFormation has no equivalent/m);
      });

      it("exports every stack output under the stack's name", () => {
        const { run, template } = get();
        assert.deepEqual(Object.keys(template.Outputs).length, Object.keys(run.outputs).length);
        for (const name of ["sourceBucketName", "thumbnailBucketName", "metadataTableName", "thumbnailFunctionArn"]) {
          assert.ok(name in run.outputs, `the program exports ${name}`);
          const output = template.Outputs[name[0].toUpperCase() + name.slice(1)];
          assert.ok(output, `output ${name} is in the template`);
          assert.deepEqual(output.Export.Name, { "Fn::Sub": `\${AWS::StackName}-${name[0].toUpperCase() + name.slice(1)}` });
        }
        assert.deepEqual(template.Outputs.ThumbnailFunctionArn.Value, { "Fn::GetAtt": [functionId(get()), "Arn"] });
      });

      it("declares the brief's parameters with allowed values and patterns, and the code's bucket and key", () => {
        const { template } = get();
        const p = template.Parameters;
        assert.deepEqual(
          Object.keys(p).sort(),
          [CODE_BUCKET_PARAMETER, CODE_KEY_PARAMETER, "Environment", "SourceBucketName", "ThumbnailBucketName"].sort(),
        );
        assert.deepEqual(p.Environment.AllowedValues, [stack]);
        assert.equal(p.Environment.Default, get().run.config["thumbnail-pipeline:environment"], "the environment the program ran with");
        for (const name of ["SourceBucketName", "ThumbnailBucketName"]) {
          const pattern = new RegExp(p[name].AllowedPattern!);
          assert.ok(pattern.test("my-uploads-1"), `${name} accepts a valid bucket name`);
          assert.ok(!pattern.test("My_Uploads"), `${name} refuses an invalid bucket name`);
        }
        assert.ok(p[CODE_BUCKET_PARAMETER] && p[CODE_KEY_PARAMETER]);
        // The program's content-addressed key (infra/compute/codeArtifact.ts), one definition for both deploy paths.
        const code = get().run.resources.find((r) => r.type === CODE_OBJECT_TYPE)!;
        assert.equal(p[CODE_KEY_PARAMETER].Default, code.inputs.key);
        assert.match(String(p[CODE_KEY_PARAMETER].Default), /^thumbnail-pipeline-\w+-thumbnailer\/[0-9a-f]{64}\.zip$/);
      });

      it("has no mock values left: account and region are pseudo parameters, ids are references", () => {
        const { yaml } = get();
        for (const salt of MARKER_SALTS) assert.doesNotMatch(yaml, new RegExp(`c${salt}\\d{3}x*z`), "no marker survives");
        assert.doesNotMatch(yaml, /123456789012|mock/i);
        assert.match(yaml, /\$\{AWS::AccountId\}/);
        assert.match(yaml, /\$\{AWS::Region\}/);
      });

      it("takes the function's code from the code parameters", () => {
        const fn = get().template.Resources[functionId(get())];
        assert.deepEqual(fn.Properties!.Code, {
          S3Bucket: { Ref: CODE_BUCKET_PARAMETER },
          S3Key: { Ref: CODE_KEY_PARAMETER },
        });
      });

      it("keeps the bucket's dependency on the trigger permission as DependsOn", () => {
        const { template } = get();
        const permission = Object.entries(template.Resources).find(([, r]) => r.Type === "AWS::Lambda::Permission")![0];
        const source = Object.values(template.Resources).find(
          (r) => r.Type === "AWS::S3::Bucket" && r.Properties?.NotificationConfiguration,
        );
        assert.deepEqual(source?.DependsOn, [permission]);
      });

      it("writes the code archive beside the template, holding the function bundle", () => {
        const files = written.get(stack)!;
        assert.equal(path.dirname(files.asset), path.dirname(files.template));
        const entries = readZip(fs.readFileSync(files.asset));
        const code = get().run.resources.find((r) => r.type === CODE_OBJECT_TYPE)!;
        const bundle = code.inputs.source.path as string;
        assert.deepEqual(
          entries.map((e) => e.name),
          fs.readdirSync(bundle).sort(),
          "exactly the files of the built bundle",
        );
        for (const entry of entries)
          assert.ok(entry.data.equals(fs.readFileSync(path.join(bundle, entry.name))), `${entry.name} unchanged`);
        assert.ok(
          entries.some((e) => e.name === "index.js"),
          "Lambda's handler file index.js",
        );
      });
    });
  }

  it("refuses a stack that has no Pulumi.<stack>.yaml", async () => {
    await assert.rejects(synthesize({ stack: "staging" }), /stack staging: there is no Pulumi\.staging\.yaml/);
  });

  it("refuses names that AWS would shorten differently by region (a long stack name under the real program)", async () => {
    // The program shortens <project>-<stack>-<purpose>-<account>-<region> to 63 characters with
    // a hash, so how much is cut depends on the region's length: no single Fn::Sub can say that.
    await assert.rejects(
      synthesize({ stack: "feature-branch-with-a-rather-long-name", withoutStackFile: true }),
      /the template changes with the markers that stand for ids, account and region[\s\S]*BucketName/,
    );
  });

  it("retains prod's data on deletion and replacement, and not dev's", () => {
    const retained = (stack: string) =>
      Object.values(synthesized.get(stack)!.template.Resources)
        .filter((r) => r.DeletionPolicy === "Retain" && r.UpdateReplacePolicy === "Retain")
        .map((r) => r.Type)
        .sort();
    assert.deepEqual(retained("dev"), []);
    const devTable = Object.values(synthesized.get("dev")!.template.Resources).find((r) => r.Type === "AWS::DynamoDB::Table")!;
    assert.equal(devTable.DeletionPolicy, "Delete");
    assert.ok(retained("prod").includes("AWS::DynamoDB::Table"));
    assert.equal(retained("prod").filter((t) => t === "AWS::S3::Bucket").length, 2, "source and thumbnail buckets");
  });
});

function functionId(synthesis: StackSynthesis): string {
  return Object.entries(synthesis.template.Resources).find(([, r]) => r.Type === "AWS::Lambda::Function")![0];
}
