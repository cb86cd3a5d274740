import { CONTRACT_OUTPUTS } from "../../contract/stackOutputs";
import * as assert from "assert";
import { CONFIG_KEYS } from "../../infra/config";
import { docSection, readDoc } from "../helpers/docs";
import { stackRun } from "../helpers/program";

describe("Docs of the stack", () => {
  it("docs/configuration.md documents every config key", () => {
    const text = readDoc("docs/configuration.md");
    for (const key of Object.keys(CONFIG_KEYS)) assert.ok(text.includes(`| \`${key}\` |`), `config table lists ${key}`);
  });

  it("docs/deploy.md documents every output the program exports, with a StackReference example", async () => {
    const text = docSection("docs/deploy.md", "outputs");
    const run = await stackRun("dev");
    for (const name of Object.keys(run.outputs)) {
      // Outputs the monitoring adds are documented for operators, in docs/operations.md.
      if (text.includes(`| \`${name}\` |`)) continue;
      assert.ok(readDoc("docs/operations.md").includes(`\`${name}\``), `docs/operations.md mentions output ${name}`);
    }
    for (const name of CONTRACT_OUTPUTS) {
      assert.ok(text.includes(`| \`${name}\` |`), `outputs table lists ${name}`);
    }
    assert.match(text, /new pulumi\.StackReference\(/);
  });

  it("README.md has a Mermaid architecture diagram", () => {
    assert.match(docSection("README.md", "architecture"), /```mermaid\n(flowchart|graph)/);
  });
});
