/**
 * Reading the project's Markdown docs from tests: whole files, and the parts between
 * `<!-- section:NAME -->` markers, so a test checks the text where a reader finds it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** A doc's text; `relPath` is from the repository root, e.g. "docs/configuration.md". */
export function readDoc(relPath: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, relPath), "utf8");
}

/** The text between `<!-- section:NAME -->` and `<!-- /section:NAME -->` in a doc. */
export function docSection(relPath: string, name: string): string {
  const match = new RegExp(`<!-- section:${name} -->([\\s\\S]*?)<!-- /section:${name} -->`).exec(readDoc(relPath));
  assert.ok(match, `${relPath} has a ${name} section`);
  return match[1];
}
