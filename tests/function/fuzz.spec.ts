import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { isFinding, runCampaign, runCase, type Finding } from "../../tools/fuzz/campaign";
import { FORMATS } from "../../tools/fuzz/seeds";
import { FUZZ_OPTIONS, fuzzThumbnailer } from "./support/fuzzBounds";

/** Fixed, so a failure here is reproducible with `npm run fuzz -- --format F --seed 20261202 --cases N`. */
const SEED = 20261202;
const CASES_PER_FORMAT = 150;
const FIXTURES = path.join(__dirname, "fixtures", "fuzz");

const describeFinding = (f: Finding) => `${f.format} case ${f.case} (${f.seedImage}; ${f.steps.join(" → ")}): ${f.outcome.kind} ${f.outcome.reason ?? ""} ${f.outcome.message ?? ""}`;

describe("fuzzing the thumbnail core under the decode backstop", function () {
  this.timeout(300_000);
  const bounds = fuzzThumbnailer();
  after(() => bounds.dispose());

  for (const format of FORMATS) {
    it(`ends every mutated ${format.toUpperCase()} as a thumbnail or a PermanentError, in time and within the memory rule (${CASES_PER_FORMAT} cases, seed ${SEED})`, async () => {
      const { findings, summaries } = await runCampaign({ formats: [format], cases: CASES_PER_FORMAT, seed: SEED, thumbnailer: bounds.thumbnailer, thumbnailOptions: FUZZ_OPTIONS });
      assert.strictEqual(summaries[0].cases, CASES_PER_FORMAT);
      assert.ok((summaries[0].kinds.thumbnail ?? 0) > 0, "some mutants still decode: the mutations are not all fatal");
      assert.deepStrictEqual(findings.map(describeFinding), []);
    });
  }

  describe("regression fixtures (earlier findings, tests/function/fixtures/fuzz)", () => {
    const files = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).filter((name) => !name.endsWith(".md")) : [];
    for (const name of files) {
      it(`ends ${name} as a thumbnail or a PermanentError, in time and within the memory rule`, async () => {
        const outcome = await runCase(bounds.thumbnailer, fs.readFileSync(path.join(FIXTURES, name)), FUZZ_OPTIONS);
        assert.ok(!isFinding(outcome), `${name}: ${outcome.kind} ${outcome.reason ?? ""} ${outcome.message ?? ""} (${Math.round(outcome.ms)} ms)`);
      });
    }
  });
});
