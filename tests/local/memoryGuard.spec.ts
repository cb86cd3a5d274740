/**
 * The memory guard, proved where it matters: the built bundle in a local container whose memory
 * the kernel caps at the function's size (as Lambda does), fed each format's worst case for
 * memory with the pixel limit raised past the memory rule, so the header checks let them all
 * through. Every upload must end as a record on its first attempt: a container the kernel
 * killed would show as an error and a retry.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { Writable } from "stream";
import { EnvVar } from "../../contract/environment";
import { decodeMemoryBytes } from "../../contract/decodeLimits";
import { parseArgs } from "../../local/cli/args";
import { runPipeline } from "../../local/localPipeline";
import { detectMemoryCap } from "../../local/runtime/memoryCap";
import { bmpBomb, gifBomb, jpegBomb, pngChunk } from "../function/support/images";
import { deflateTiff } from "../function/support/hostileImages";
import { adam7InflatedSize } from "../../function/src/core/pngLimits";

const MEMORY_MB = 512;
const SIDE = 8000;

function sink(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/** A real 8-bit RGB PNG of zeros: every byte of it decodes (no lying header, no early end). */
function blackPng(width: number, height: number, interlaced = false): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  ihdr[12] = interlaced ? 1 : 0;
  // All zeros is valid scanline data either way (filter None, black pixels); Adam7 only changes how much.
  const raw = Buffer.alloc(interlaced ? adam7InflatedSize(width, height, 24) : height * (1 + width * 3));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", zlib.deflateSync(raw, { level: 1 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

describe("memory guard (the built function, capped at its memory)", function () {
  this.timeout(300_000);
  const cap = detectMemoryCap();
  let work: string;
  before(function () {
    // A skipped test says why: the kernel cap needs a writable cgroup (Linux, root or a delegated group).
    if (!cap.available) this.skip();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "memory-guard-spec-"));
  });
  after(() => work && fs.rmSync(work, { recursive: true, force: true }));

  it(`ends each format's worst case for memory as a record, with no container killed at ${MEMORY_MB} MB, retried only in a fresh process when an earlier stop left memory behind`, async () => {
    const pixels = SIDE * SIDE;
    assert.ok(decodeMemoryBytes(pixels) > MEMORY_MB * 2 ** 20, "the cases must be past the memory rule, or they prove nothing");
    const cases: Record<string, Buffer> = {
      // Decodes for real, every row: shrunk as it inflates; interlaced, its samples are gathered
      // at 3 bytes a pixel first (a row is complete only after the last pass).
      "real.png": blackPng(7000, 7000),
      "real-interlaced.png": blackPng(7000, 7000, true),
      // Real deflate data for a full greyscale page in one strip: utif2's buffers plus the RGBA copy of it.
      "real.tif": deflateTiff(SIDE, SIDE, pixels),
      // Headers claiming the full size over a little data: decoders that size their buffers from the header.
      "claims.jpg": jpegBomb(SIDE, SIDE),
      "claims.gif": gifBomb(SIDE, SIDE),
      "claims.bmp": bmpBomb(SIDE, SIDE),
    };
    for (const [name, bytes] of Object.entries(cases)) fs.writeFileSync(path.join(work, name), bytes);

    const report = await runPipeline(
      parseArgs(["--input", work, "--out", path.join(work, "out"), "--concurrency", "1", "--no-progress"]),
      { stdout: sink(), stderr: sink() as unknown as NodeJS.WriteStream, signal: new AbortController().signal },
      { memoryMb: MEMORY_MB, functionEnvironment: { [EnvVar.MaxImagePixels]: String(4 * pixels) } },
    );

    const outcomes = Object.fromEntries(report.images.map((i) => [i.key, `${i.status} ${i.reason ?? ""} ×${i.attempts}`.trim()]));
    assert.equal(report.images.length, Object.keys(cases).length, JSON.stringify(outcomes));
    for (const image of report.images) {
      assert.notEqual(image.reason, "HandlerError", `${image.key} crashed its container: ${image.error} (${JSON.stringify(outcomes)})`);
      // One case runs after another in the same warm container: one that follows a stopped
      // decode may find its memory still held, and is then retried in a fresh process (the
      // handler ends its own), never killed for memory.
      const log = fs.readFileSync(path.join(work, "out", "logs", `${image.key}.log`), "utf8");
      assert.doesNotMatch(log, /OutOfMemory/, `${image.key}: a container was killed for memory`);
      assert.ok(image.attempts <= 2, `${image.key} was retried more than once: ${JSON.stringify(outcomes)}`);
      if (image.attempts > 1)
        assert.match(log, /attempt 1: .*Runtime exited with code 1/, `${image.key} was retried: ${JSON.stringify(outcomes)}`);
      assert.ok(image.status === "SUCCEEDED" || image.reason, JSON.stringify(outcomes));
    }
    assert.deepEqual(report.summary.errors, [], JSON.stringify(outcomes));
    const guarded = report.images.filter((i) => i.reason === "DecodeTooLarge" || i.reason === "AllocationFailed");
    assert.ok(guarded.length > 0, `no case reached the guard, so none proved it: ${JSON.stringify(outcomes)}`);
    assert.ok(report.summary.peakContainerMemoryBytes <= MEMORY_MB * 2 ** 20, `peak ${report.summary.peakContainerMemoryBytes} bytes`);
  });
});
