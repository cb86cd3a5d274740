import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError } from "../../tools/cli";
import { resolveInputs } from "../../local/inputs";
import { prepareOutDir, writeFileUnder } from "../../local/outDir";

describe("local out directory and inputs", () => {
  let work: string;
  beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "local-out-spec-"))));
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it("replaces what an earlier run wrote, so nothing carries over between runs", () => {
    const out = prepareOutDir(path.join(work, "out"));
    writeFileUnder(out, "thumbnails/old/256.jpg", "old");
    writeFileUnder(out, "index.html", "old page");
    prepareOutDir(path.join(work, "out"));
    assert.equal(fs.existsSync(path.join(work, "out", "thumbnails", "old", "256.jpg")), false);
    assert.equal(fs.existsSync(path.join(work, "out", "index.html")), false);
  });

  it("refuses a non-empty directory it did not create, and leaves it untouched", () => {
    fs.mkdirSync(path.join(work, "mine"));
    fs.writeFileSync(path.join(work, "mine", "thesis.docx"), "precious");
    assert.throws(
      () => prepareOutDir(path.join(work, "mine")),
      (err: unknown) => err instanceof UsageError && /--out .*mine: is a non-empty directory/.test(err.message),
    );
    assert.equal(fs.readFileSync(path.join(work, "mine", "thesis.docx"), "utf8"), "precious");
  });

  it("refuses to write outside the out directory", () => {
    const out = prepareOutDir(path.join(work, "out"));
    assert.throws(() => writeFileUnder(out, "thumbnails/../../escape.txt", "x"), /outside the out directory/);
    assert.equal(fs.existsSync(path.join(work, "escape.txt")), false);
  });

  it("keys files under a folder by their relative path, and a named file by its name", () => {
    fs.mkdirSync(path.join(work, "in", "sub"), { recursive: true });
    fs.writeFileSync(path.join(work, "in", "sub", "a b.jpg"), "x");
    fs.writeFileSync(path.join(work, "in", ".DS_Store"), "x");
    fs.writeFileSync(path.join(work, "c.png"), "x");
    const { files } = resolveInputs([path.join(work, "in"), path.join(work, "c.png")]);
    assert.deepEqual(
      files.map((f) => f.key),
      ["sub/a b.jpg", "c.png"],
    );
  });

  it("refuses two inputs that would upload under the same key", () => {
    fs.mkdirSync(path.join(work, "x"));
    fs.mkdirSync(path.join(work, "y"));
    fs.writeFileSync(path.join(work, "x", "same.jpg"), "1");
    fs.writeFileSync(path.join(work, "y", "same.jpg"), "2");
    assert.throws(
      () => resolveInputs([path.join(work, "x", "same.jpg"), path.join(work, "y", "same.jpg")]),
      (err: unknown) => err instanceof UsageError && /both upload as key "same.jpg"/.test(err.message),
    );
  });
});
