import { strict as assert } from "assert";
import { EnvironmentError, ExitCode, integerOption, parseOptions, reportError, UsageError } from "../../tools/cli";

describe("Command-line conventions (tools/cli.ts)", () => {
  const USAGE = "usage: npm run x -- --limit N";

  it("parses --name value options and their defaults", () => {
    const values = parseOptions(["--limit", "5"], { limit: { type: "string" }, json: { type: "boolean", default: false } }, USAGE);
    assert.deepEqual({ ...values }, { limit: "5", json: false });
  });

  it("reports an unknown option as a usage error followed by the usage line", () => {
    assert.throws(
      () => parseOptions(["--limt", "5"], { limit: { type: "string" } }, USAGE),
      (err: Error) => err instanceof UsageError && /--limt/.test(err.message) && err.message.endsWith(USAGE),
    );
  });

  it("names the option, the value and the rule for a number that is not a whole number in range", () => {
    assert.equal(integerOption("20", "--limit", 1, "records"), 20);
    for (const raw of ["0", "2.5", "ten", ""]) {
      assert.throws(() => integerOption(raw, "--limit", 1, "records"), {
        name: "UsageError",
        message: `--limit ${raw}: must be a whole number of records, at least 1`,
      });
    }
  });

  it("exits 2 for what the user must fix, 3 for the machine, 1 with the stack for anything else", () => {
    const printed: string[] = [];
    const print = (line: string) => printed.push(line);
    assert.equal(reportError(new UsageError("--stack is required"), print), ExitCode.Usage);
    assert.equal(reportError(new EnvironmentError("port 4569 is in use"), print), ExitCode.Environment);
    assert.equal(reportError(new Error("boom"), print), ExitCode.Failed);
    assert.deepEqual(printed.slice(0, 2), ["error: --stack is required", "error: port 4569 is in use"]);
    assert.match(printed[2], /^Error: boom\n\s+at /);
  });
});
