import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { isFinding, runCampaign, runCase, type Finding } from "../../tools/fuzz/campaign";
import { FORMATS } from "../../tools/fuzz/seeds";
import { FUZZ_BUDGET_MS, FUZZ_OPTIONS, fuzzThumbnailer } from "./support/fuzzBounds";

/** Fixed, so a failure here is reproducible with `npm run fuzz -- --format F --seed 20261202 --cases N`. */
const SEED = 20261202;
const CASES_PER_FORMAT = 300;
const FIXTURES = path.join(__dirname, "fixtures", "fuzz");

const describeFinding = (f: Finding) =>
  `${f.format} case ${f.case} (${f.seedImage}; ${f.steps.join(" → ")}): ${f.outcome.kind} ${f.outcome.reason ?? ""} ${f.outcome.message ?? ""}`;

describe("fuzzing the thumbnail core under the decode backstop", function () {
  this.timeout(300_000);
  const bounds = fuzzThumbnailer();
  after(() => bounds.dispose());

  for (const format of FORMATS) {
    it(`ends every mutated ${format.toUpperCase()} as a thumbnail or a PermanentError, in time and within the memory rule (${CASES_PER_FORMAT} cases, seed ${SEED})`, async () => {
      const { findings, summaries } = await runCampaign({
        formats: [format],
        cases: CASES_PER_FORMAT,
        seed: SEED,
        thumbnailer: bounds.thumbnailer,
        thumbnailOptions: FUZZ_OPTIONS,
      });
      assert.strictEqual(summaries[0].cases, CASES_PER_FORMAT);
      assert.ok((summaries[0].kinds.thumbnail ?? 0) > 0, "some mutants still decode: the mutations are not all fatal");
      assert.deepStrictEqual(findings.map(describeFinding), []);
    });
  }

  describe("regression fixtures (earlier findings, tests/function/fixtures/fuzz)", () => {
    const filesIn = (dir: string) =>
      fs.existsSync(dir)
        ? fs
            .readdirSync(dir, { withFileTypes: true })
            .filter((e) => e.isFile() && !e.name.endsWith(".md"))
            .map((e) => e.name)
        : [];
    for (const name of filesIn(FIXTURES)) {
      it(`ends ${name} as a thumbnail or a PermanentError, in time and within the memory rule`, async () => {
        const outcome = await runCase(bounds.thumbnailer, fs.readFileSync(path.join(FIXTURES, name)), FUZZ_OPTIONS);
        assert.ok(
          !isFinding(outcome),
          `${name}: ${outcome.kind} ${outcome.reason ?? ""} ${outcome.message ?? ""} (${Math.round(outcome.ms)} ms)`,
        );
      });
    }
    // Open findings (see the fixtures README): no decoder fix yet, so only the backstop's promise holds.
    for (const name of filesIn(path.join(FIXTURES, "open"))) {
      it(`contains open finding ${name}: a PermanentError within the budget, never a crash or a plain error`, async () => {
        const outcome = await runCase(bounds.thumbnailer, fs.readFileSync(path.join(FIXTURES, "open", name)), FUZZ_OPTIONS);
        assert.ok(
          !["error", "crashed"].includes(outcome.kind),
          `${name}: ${outcome.kind} ${outcome.reason ?? ""} ${outcome.message ?? ""}`,
        );
        assert.ok(outcome.ms < FUZZ_BUDGET_MS + 2_000, `${name} took ${Math.round(outcome.ms)} ms`);
      });
    }
  });
});
