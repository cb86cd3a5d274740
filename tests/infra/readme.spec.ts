import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS } from "../../infra/config";
import { REPO_ROOT, stackRun } from "../helpers/program";

function section(name: string): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const match = new RegExp(`<!-- section:${name} -->([\\s\\S]*?)<!-- /section:${name} -->`).exec(readme);
  assert.ok(match, `README has a ${name} section`);
  return match[1];
}

describe("README", () => {
  it("documents every config key in the config reference", () => {
    const text = section("config");
    for (const key of Object.keys(CONFIG_KEYS)) assert.ok(text.includes(`| \`${key}\` |`), `config table lists ${key}`);
  });

  it("documents every output the program exports, with a StackReference example", async () => {
    const text = section("outputs");
    const run = await stackRun("dev");
    for (const name of Object.keys(run.outputs)) {
      // Outputs the monitoring adds are documented in its own section.
      if (text.includes(`| \`${name}\` |`)) continue;
      assert.ok(fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8").includes(`\`${name}\``), `README mentions output ${name}`);
    }
    for (const name of ["sourceBucketName", "thumbnailBucketName", "metadataTableName", "thumbnailFunctionArn", "thumbnailFunctionName", "logGroupName", "region", "deadLetterQueueUrl", "deadLetterQueueArn"]) {
      assert.ok(text.includes(`| \`${name}\` |`), `outputs table lists ${name}`);
    }
    assert.match(text, /new pulumi\.StackReference\(/);
  });

  it("has a Mermaid architecture diagram", () => {
    assert.match(section("architecture"), /```mermaid\n(flowchart|graph)/);
  });
});
