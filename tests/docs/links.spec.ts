import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../helpers/docs";
import { headingAnchors, markdownLinks } from "../helpers/markdownLinks";

/** The project's documentation: README, contributing guide, docs by topic, and the folder READMEs. */
function documents(): string[] {
  const docs = fs
    .readdirSync(path.join(REPO_ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`);
  return ["README.md", "CONTRIBUTING.md", ...docs.sort(), "bench/README.md", "policy/README.md"];
}

/** Why a link does not resolve, or undefined when it does. */
function brokenReason(fromDoc: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) return undefined; // external
  const [file, anchor] = target.split("#", 2);
  const resolved = file ? path.resolve(path.dirname(path.join(REPO_ROOT, fromDoc)), decodeURI(file)) : path.join(REPO_ROOT, fromDoc);
  if (!resolved.startsWith(REPO_ROOT)) return "points outside the repository";
  if (!fs.existsSync(resolved)) return `${path.relative(REPO_ROOT, resolved)} does not exist`;
  if (anchor === undefined) return undefined;
  if (!resolved.endsWith(".md")) return `an anchor into ${path.relative(REPO_ROOT, resolved)}, which has no headings`;
  const anchors = headingAnchors(fs.readFileSync(resolved, "utf8"));
  if (!anchors.has(decodeURIComponent(anchor))) return `no heading in ${path.relative(REPO_ROOT, resolved)} has the anchor #${anchor}`;
  return undefined;
}

describe("Documentation links", () => {
  describe("headingAnchors", () => {
    it("makes GitHub's slugs: lower case, punctuation dropped, spaces to hyphens", () => {
      const anchors = headingAnchors("# Memory: recommended 1,280 MB\n## Set-up (once per repository)\n### `npm start` and s3_rver\n");
      assert.deepStrictEqual([...anchors], ["memory-recommended-1280-mb", "set-up-once-per-repository", "npm-start-and-s3_rver"]);
    });

    it("numbers repeated headings and ignores headings inside code blocks", () => {
      const anchors = headingAnchors("## Tests\n```sh\n# not a heading\n```\n## Tests\n");
      assert.deepStrictEqual([...anchors], ["tests", "tests-1"]);
    });
  });

  describe("markdownLinks", () => {
    it("finds inline links but not link-like text in code", () => {
      const links = markdownLinks('See [a](docs/a.md#x) and `[b](b.md)`.\n```md\n[c](c.md)\n```\n![d](img.png "t")\n');
      assert.deepStrictEqual(
        links.map((l) => l.target),
        ["docs/a.md#x", "img.png"],
      );
    });
  });

  for (const doc of documents()) {
    it(`${doc}: every relative link and anchor resolves`, () => {
      const broken = markdownLinks(fs.readFileSync(path.join(REPO_ROOT, doc), "utf8"))
        .map((link) => ({ link, reason: brokenReason(doc, link.target) }))
        .filter((b) => b.reason)
        .map((b) => `${doc}:${b.link.line} (${b.link.target}): ${b.reason}`);
      assert.deepStrictEqual(broken, []);
    });
  }
});
