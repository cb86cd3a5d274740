import { strict as assert } from "assert";
import { MAX_CONCURRENCY, parseArgs } from "../../local/cli/args";
import { UsageError } from "../../tools/cli";

function refuses(argv: string[], message: RegExp): void {
  assert.throws(
    () => parseArgs(argv),
    (err: unknown) => err instanceof UsageError && message.test(err.message) && !err.message.includes("\n"),
  );
}

describe("npm start arguments", () => {
  it("defaults to the dev stack, ./out, the sample set and one container per core", () => {
    const options = parseArgs([]);
    assert.equal(options.stack, "dev");
    assert.equal(options.out, "out");
    assert.deepEqual(options.inputs, []);
    assert.ok(options.concurrency >= 1 && options.concurrency <= MAX_CONCURRENCY);
    assert.equal(options.watch, false);
  });

  it("takes several --input paths and options in either spelling", () => {
    const options = parseArgs(["--input", "a.jpg", "dir", "--concurrency=3", "--report", "r.json", "--stack", "prod"]);
    assert.deepEqual(options.inputs, ["a.jpg", "dir"]);
    assert.equal(options.concurrency, 3);
    assert.equal(options.report, "r.json");
    assert.equal(options.stack, "prod");
  });

  it("refuses a concurrency that is not an integer in range, naming the value and the rule", () => {
    refuses(["--concurrency", "0"], /--concurrency "0": must be an integer from 1 to 64/);
    refuses(["--concurrency", "1.5"], /--concurrency "1.5"/);
    refuses(["--concurrency", String(MAX_CONCURRENCY + 1)], /must be an integer/);
    refuses(["--concurrency"], /--concurrency: a value is required/);
  });

  it("refuses unknown options, a report that is not .json, equal ports and --watch without a folder", () => {
    refuses(["--frobnicate"], /"--frobnicate": unknown option/);
    refuses(["--report", "r.txt"], /--report "r.txt": must name a .json file/);
    refuses(["--s3-port", "4000", "--dynamo-port", "4000"], /must differ/);
    refuses(["--watch"], /--watch: needs --input/);
    refuses(["--s3-port", "70000"], /--s3-port "70000": must be an integer from 0 to 65535/);
  });
});
