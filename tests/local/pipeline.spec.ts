/**
 * The pipeline in-process, for what the command-line tests cannot arrange: a function that
 * keeps failing.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import { Jimp } from "jimp";
import { EnvVar } from "../../contract/environment";
import { parseArgs } from "../../local/cli/args";
import { runPipeline } from "../../local/localPipeline";
import { loadStack } from "../../local/stack";

function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      stream.text += chunk;
      done();
    },
  }) as Writable & { text: string };
  stream.text = "";
  return stream;
}

describe("local pipeline", function () {
  this.timeout(120_000);
  let work: string;
  beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "local-pipeline-spec-"))));
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it("retries an event whose handler keeps throwing as often as the stack says, then reports it FAILED with the error and the function's log", async () => {
    fs.writeFileSync(path.join(work, "photo.jpg"), await new Jimp({ width: 40, height: 30, color: 0x808080ff }).getBuffer("image/jpeg"));
    const stdout = sink();
    const stderr = sink() as unknown as NodeJS.WriteStream;
    const report = await runPipeline(
      parseArgs(["--input", path.join(work, "photo.jpg"), "--out", path.join(work, "out"), "--concurrency", "1", "--no-progress"]),
      { stdout, stderr, signal: new AbortController().signal },
      // A table the stack did not create: every DynamoDB call fails, as with a misnamed table.
      { functionEnvironment: { [EnvVar.MetadataTable]: "no-such-table" } },
    );
    const [image] = report.images;
    assert.equal(report.images.length, 1);
    assert.equal(image.status, "FAILED");
    assert.equal(image.reason, "HandlerError");
    assert.equal(image.attempts, 1 + loadStack("dev").maximumRetryAttempts);
    assert.match(String(image.error), /no-such-table/);
    assert.deepEqual(report.summary.errors, [{ error: image.error, count: 1 }]);
    const log = fs.readFileSync(path.join(work, "out", "logs", "photo.jpg.log"), "utf8");
    assert.equal(log.match(/^--- attempt \d/gm)?.length, image.attempts);
    assert.match(stdout.text, /failed HandlerError: 1/);
  });
});
