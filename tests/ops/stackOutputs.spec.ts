/**
 * How the operator commands find a stack's outputs (Pulumi CLI or --outputs file), and the
 * errors an operator sees when something is missing.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { explainAwsError, readStackOutputs, regionOf, requireOutput, type CommandRunner } from "../../tools/ops/stackOutputs";
import { UsageError } from "../../tools/cli";

describe("stack outputs for the operator commands", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-outputs-"));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  function file(name: string, text: string): string {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  }
  const noCli: CommandRunner = () => {
    throw new Error("the CLI must not run when --outputs is given");
  };

  it("reads the outputs from a file written by `pulumi stack output --json`", () => {
    const p = file("ok.json", JSON.stringify({ region: "eu-west-1", deadLetterQueueUrl: "https://q" }));
    assert.deepEqual(readStackOutputs({ stack: "prod", outputsFile: p }, noCli), { region: "eu-west-1", deadLetterQueueUrl: "https://q" });
  });

  it("asks the Pulumi CLI for the stack's outputs when no file is given", () => {
    const calls: string[][] = [];
    const run: CommandRunner = (command, args) => {
      calls.push([command, ...args]);
      return { status: 0, stdout: '{"region":"eu-west-1"}', stderr: "" };
    };
    assert.deepEqual(readStackOutputs({ stack: "prod" }, run), { region: "eu-west-1" });
    assert.deepEqual(calls, [["pulumi", "stack", "output", "--json", "--stack", "prod"]]);
  });

  it("without the CLI, says how to produce an outputs file", () => {
    const run: CommandRunner = () => ({
      status: null,
      stdout: "",
      stderr: "",
      error: Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" }),
    });
    assert.throws(
      () => readStackOutputs({ stack: "prod" }, run),
      (err: Error) =>
        err instanceof UsageError &&
        /Pulumi CLI is not installed/.test(err.message) &&
        err.message.includes("pulumi stack output --json --stack prod > outputs.json") &&
        err.message.includes("--outputs outputs.json"),
    );
  });

  it("passes on the CLI's complaint about an unknown stack", () => {
    const run: CommandRunner = () => ({ status: 255, stdout: "", stderr: "error: no stack named 'prdo' found\n" });
    assert.throws(
      () => readStackOutputs({ stack: "prdo" }, run),
      /pulumi stack output --stack prdo failed: error: no stack named 'prdo' found .*pulumi login/,
    );
  });

  it("requires a stack or an outputs file", () => {
    assert.throws(() => readStackOutputs({}, noCli), /say which stack: --stack <name> .* or --outputs <file>/);
  });

  it("names a missing, unreadable or malformed outputs file", () => {
    const missing = path.join(dir, "missing.json");
    assert.throws(
      () => readStackOutputs({ outputsFile: missing }, noCli),
      new RegExp(`outputs file ${missing} does not exist; write it with: pulumi stack output --json`),
    );
    assert.throws(() => readStackOutputs({ outputsFile: file("bad.json", "{not json") }, noCli), /bad\.json: the outputs are not JSON/);
    assert.throws(
      () => readStackOutputs({ outputsFile: file("list.json", "[]") }, noCli),
      /expected a JSON object of outputs, got an array/,
    );
  });

  it("names a missing output, the stack, and the outputs it does have", () => {
    assert.throws(
      () => requireOutput({ region: "eu-west-1", metadataTableName: "" }, "metadataTableName", { stack: "dev" }),
      /stack "dev" has no output "metadataTableName" \(its value is ""\); outputs present: metadataTableName, region\. Deploy/,
    );
    assert.equal(requireOutput({ deadLetterQueueUrl: "x" }, "deadLetterQueueUrl", { stack: "dev" }), "x");
  });

  it("takes the region from the outputs, else from AWS_REGION, else says what to set", () => {
    assert.equal(regionOf({ region: "eu-west-1" }, { stack: "dev" }, { AWS_REGION: "us-east-1" }), "eu-west-1");
    assert.equal(regionOf({}, { stack: "dev" }, { AWS_REGION: "us-east-1" }), "us-east-1");
    assert.throws(() => regionOf({}, { stack: "dev" }, {}), /no output "region" and AWS_REGION is not set/);
  });

  it("turns AWS errors into what the operator can do", () => {
    const expired = explainAwsError(
      Object.assign(new Error("The security token included in the request is expired"), { name: "ExpiredTokenException" }),
      "sqs:ReceiveMessage",
    );
    assert.ok(expired instanceof UsageError);
    assert.match(expired.message, /session has expired .*sign in again/);
    const denied = explainAwsError(
      Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }),
      "lambda:InvokeFunction on fn",
    );
    assert.match(denied.message, /access denied: lambda:InvokeFunction on fn/);
    const other = explainAwsError(Object.assign(new Error("boom"), { name: "InternalError" }), "x");
    assert.ok(!(other instanceof UsageError), "unexpected errors are not dressed up as operator mistakes");
    assert.equal(other.message, "x failed: InternalError: boom");
  });
});
