import { strict as assert } from "assert";
import { createHash } from "crypto";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { codeAsset } from "../../tools/cfn/codeAsset";
import { MarkerTable } from "../../tools/cfn/markers";
import { differences } from "../../tools/cfn/merge";
import { synthMocks } from "../../tools/cfn/mocks";
import { ResourceSchemas } from "../../tools/cfn/schemas";
import { readZip, zipEntries } from "../../tools/cfn/zip";

describe("Code archive", () => {
  it("zips the same files to the same bytes, whatever their order", () => {
    const a = zipEntries([
      { name: "index.js", data: Buffer.from("exports.handler=1") },
      { name: "lib/x.wasm", data: Buffer.alloc(1000, 7) },
    ]);
    const b = zipEntries([
      { name: "lib/x.wasm", data: Buffer.alloc(1000, 7) },
      { name: "index.js", data: Buffer.from("exports.handler=1") },
    ]);
    assert.ok(a.equals(b));
    assert.deepEqual(
      readZip(a).map((e) => [e.name, e.data.length]),
      [
        ["index.js", 17],
        ["lib/x.wasm", 1000],
      ],
    );
  });

  it("is a zip that Python's zipfile (as AWS tooling) reads and verifies", function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cfn-zip-"));
    try {
      const file = path.join(dir, "code.zip");
      fs.writeFileSync(file, zipEntries([{ name: "index.js", data: Buffer.from("x".repeat(5000)) }]));
      const check = spawnSync(
        "python3",
        [
          "-c",
          "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(z.namelist(), len(z.read('index.js')))",
          file,
        ],
        { encoding: "utf8" },
      );
      if (check.error) {
        console.log("      python3 is not installed: skipping the cross-check with Python's zipfile");
        this.skip();
      }
      assert.equal(check.status, 0, check.stderr);
      assert.equal(check.stdout.trim(), "['index.js'] 5000");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the asset by its content hash", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cfn-asset-"));
    try {
      fs.writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => 1;");
      const key = `fn/${"a".repeat(64)}.zip`;
      const resource = {
        urn: "u",
        type: "aws:s3/bucketObjectv2:BucketObjectv2",
        name: "code",
        custom: true,
        inputs: { key, source: { kind: "FileArchive", path: dir } },
      };
      const asset = await codeAsset(resource, "dev");
      assert.equal(asset.sha256, createHash("sha256").update(asset.zip).digest("hex"));
      assert.equal(asset.fileName, `dev.code-${asset.sha256.slice(0, 16)}.zip`);
      assert.equal(asset.key, key, "the program's key is the template's default key");
      await assert.rejects(
        codeAsset({ ...resource, inputs: { source: resource.inputs.source } }, "dev"),
        /code \(property key\): the code object has no literal key/,
      );
      await assert.rejects(
        codeAsset({ ...resource, inputs: { source: { kind: "RemoteArchive", uri: "https://x" } } }, "dev"),
        /code \(property source\): a RemoteArchive cannot be zipped/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Synth mocks", () => {
  const schemas = ResourceSchemas.shared();

  it("answer account, region and partition lookups with pseudo-parameter markers", () => {
    const markers = new MarkerTable();
    const { hooks } = synthMocks(schemas, markers);
    const account = hooks.call!({ token: "aws-native:index:getAccountId", inputs: {} }, {})!;
    assert.deepEqual(markers.targetOf(account.accountId), { kind: "pseudo", name: "AWS::AccountId" });
    const region = hooks.call!({ token: "aws:index/getRegion:getRegion", inputs: {} }, {})!;
    assert.deepEqual(markers.targetOf(region.name), { kind: "pseudo", name: "AWS::Region" });
  });

  it("record invokes CloudFormation cannot answer", () => {
    const mocks = synthMocks(schemas, new MarkerTable());
    mocks.hooks.call!({ token: "aws:ec2/getAmi:getAmi", inputs: {} }, {});
    assert.deepEqual(mocks.unsupportedCalls, ["aws:ec2/getAmi:getAmi"]);
  });

  it("give each resource a Ref marker for its identifier and GetAtt markers for its schema's attributes", () => {
    const markers = new MarkerTable();
    const { hooks } = synthMocks(schemas, markers);
    const result = hooks.newResource!(
      { type: "aws-native:sns:Topic", name: "alerts", inputs: { topicName: "t" } },
      { id: "x", state: {} },
    )!;
    const key = { type: "aws-native:sns:Topic", name: "alerts" };
    assert.equal(result.state.topicArn, markers.ref(key), "Ref of a topic is its ARN");
    assert.equal(result.state.topicName, markers.getAtt(key, "TopicName"));
    const bucket = hooks.newResource!(
      { type: "aws-native:s3:Bucket", name: "b", inputs: { bucketName: "given" } },
      { id: "x", state: {} },
    )!;
    assert.equal(bucket.state.websiteUrl, markers.getAtt({ type: "aws-native:s3:Bucket", name: "b" }, "WebsiteURL"));
    assert.equal(bucket.state.bucketName, markers.ref({ type: "aws-native:s3:Bucket", name: "b" }));
  });
});

describe("Determinism check", () => {
  it("names the paths where two runs' templates differ", () => {
    const a = { Resources: { B: { Properties: { BucketName: "x-1a2b", Tags: [] } } } };
    const b = { Resources: { B: { Properties: { BucketName: "x-9f8e", Tags: [] } } } };
    assert.deepEqual(differences(a, b), ['Resources.B.Properties.BucketName: "x-1a2b" vs "x-9f8e"']);
    assert.deepEqual(differences(a, a), []);
  });
});
