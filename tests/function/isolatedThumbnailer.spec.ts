import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { bundleWorkerSync } from "../../function/build";
import { FailureReason, isFinalReason } from "../../contract/failureReasons";
import { PermanentError, TransientError } from "../../function/src/core/errors";
import { failsWith } from "./support/decoderSpecs";
import { makeThumbnails, type ThumbnailOptions } from "../../function/src/core/thumbnailer";
import { IsolatedThumbnailer } from "../../function/src/worker/isolatedThumbnailer";
import { solid } from "./support/images";

const OPTIONS: ThumbnailOptions = { sizes: [256, 64], jpegQuality: 80, maxPixels: 50_000_000 };
const MISBEHAVING_ENTRY = path.join(__dirname, "support", "workers", "misbehavingCore.ts");
const MIB = 2 ** 20;
const command = (word: string) => Buffer.from(word.padEnd(5, " "), "latin1");

describe("isolated thumbnailer (the decode backstop)", function () {
  // Each thread registers ts-node before it loads the core.
  this.timeout(60_000);

  describe("with the production worker", () => {
    const isolated = new IsolatedThumbnailer({ timeoutMs: 30_000, processMemoryLimitBytes: 8 * 1024 * MIB });
    after(() => isolated.close());

    for (const mime of ["image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"] as const) {
      it(`makes byte-identical thumbnails and facts to the direct core (${mime})`, async () => {
        const bytes = await solid(600, 400, mime, 0x336699ff);
        const [direct, viaThread] = [await makeThumbnails(bytes, OPTIONS), await isolated.make(bytes, OPTIONS)];
        assert.deepStrictEqual(viaThread.facts, direct.facts);
        assert.deepStrictEqual(
          viaThread.thumbnails.map((t) => ({ ...t, bytes: t.bytes.toString("base64") })),
          direct.thumbnails.map((t) => ({ ...t, bytes: t.bytes.toString("base64") })),
        );
        assert.ok(Buffer.isBuffer(viaThread.thumbnails[0].bytes), "thumbnails come back as Buffers");
      });
    }

    it("leaves the caller's bytes intact", async () => {
      const bytes = await solid(40, 30, "image/png");
      const before = Buffer.from(bytes);
      await isolated.make(bytes, OPTIONS);
      assert.ok(bytes.equals(before));
    });

    it("takes over bytes handed to it without copying them (the caller's view is left empty) and makes the same thumbnails", async () => {
      const bytes = await solid(600, 400, "image/jpeg", 0x336699ff);
      const given = new Uint8Array(bytes);
      const direct = await makeThumbnails(bytes, OPTIONS);
      const viaThread = await isolated.make(given, OPTIONS, { handOver: true });
      assert.strictEqual(given.byteLength, 0, "the handed-over buffer was moved to the thread, not copied");
      assert.deepStrictEqual(
        viaThread.thumbnails.map((t) => t.bytes.toString("base64")),
        direct.thumbnails.map((t) => t.bytes.toString("base64")),
      );
    });

    it("copies handed-over bytes that share their buffer with others (a view into a larger buffer), leaving the others intact", async () => {
      const bytes = await solid(40, 30, "image/png");
      const larger = new Uint8Array(bytes.length + 16);
      larger.set(bytes, 8);
      const view = larger.subarray(8, 8 + bytes.length);
      const result = await isolated.make(view, OPTIONS, { handOver: true });
      assert.strictEqual(result.facts.width, 40);
      assert.ok(Buffer.from(view).equals(bytes), "the larger buffer was not moved away");
    });

    it("brings the core's PermanentError across the thread with its reason and message", async () => {
      await assert.rejects(
        isolated.make(Buffer.from("just some text"), OPTIONS),
        failsWith(FailureReason.UnsupportedFormat, /not .*image|unsupported|recogni/i),
      );
      await assert.rejects(isolated.make(new Uint8Array(0), OPTIONS), failsWith(FailureReason.EmptyObject, /empty \(0 bytes\)/));
    });
  });

  describe("with a decoder that misbehaves", () => {
    let isolated: IsolatedThumbnailer;
    let dir: string;
    let MISBEHAVING: string;
    // Bundled like the function's own worker: a thread starts in milliseconds, not ts-node's seconds.
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "misbehaving-core-"));
      MISBEHAVING = bundleWorkerSync(dir, MISBEHAVING_ENTRY, false);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    afterEach(() => isolated.close());

    it("stops a decoder that never returns as DecodeTimeout within the budget, and the next image in the same thumbnailer succeeds", async () => {
      isolated = new IsolatedThumbnailer({ timeoutMs: 3_000, processMemoryLimitBytes: 8 * 1024 * MIB, workerFile: MISBEHAVING });
      const png = await solid(300, 200, "image/png");
      const started = Date.now();
      await assert.rejects(
        isolated.make(command("HANG"), OPTIONS),
        failsWith(FailureReason.DecodeTimeout, /longer than the 3000 ms budget/),
      );
      const elapsed = Date.now() - started;
      // Generous above: timers fire late on a loaded machine; a hang would never return at all.
      assert.ok(elapsed >= 3_000 && elapsed < 10_000, `stopped after ${elapsed} ms`);
      const next = await isolated.make(png, OPTIONS);
      assert.deepStrictEqual([next.facts.width, next.facts.height], [300, 200]);
    });

    it("stops a decoder that fills memory outside the V8 heap as DecodeTooLarge, without harming the process", async () => {
      const limit = process.memoryUsage.rss() + 384 * MIB;
      isolated = new IsolatedThumbnailer({ timeoutMs: 30_000, processMemoryLimitBytes: limit, workerFile: MISBEHAVING });
      await isolated.warm();
      await assert.rejects(
        isolated.make(command("GROW"), OPTIONS),
        failsWith(FailureReason.DecodeTooLarge, /memory to \d+ MiB .* past its bound of \d+ MiB/),
      );
      const next = await isolated.make(await solid(20, 20, "image/jpeg"), OPTIONS);
      assert.strictEqual(next.thumbnails.length, 2);
    });

    it("leaves a memory stop for a retry in a fresh process when the process began the image carrying memory it does not hold clean", async () => {
      isolated = new IsolatedThumbnailer({
        timeoutMs: 30_000,
        processMemoryLimitBytes: process.memoryUsage.rss() + 384 * MIB,
        workerFile: MISBEHAVING,
      });
      await isolated.make(await solid(20, 20, "image/jpeg"), OPTIONS);
      // What a stopped decode can leave resident: 300 MiB the process holds before the next image.
      const leftover = Buffer.alloc(300 * MIB, 1);
      try {
        await assert.rejects(isolated.make(command("GROW"), OPTIONS), (err: unknown) => {
          assert.ok(err instanceof TransientError, `a TransientError, not ${String(err)}`);
          assert.strictEqual(err.recycleProcess, true);
          assert.match(err.message, /began this image with \d+ MiB left over/);
          return true;
        });
      } finally {
        leftover.fill(0);
      }
    });

    it("ends a decoder that fills its JavaScript heap (ERR_WORKER_OUT_OF_MEMORY) as DecodeTooLarge", async () => {
      // A resident-set bound far above the heap limit, so the heap limit is what stops it.
      isolated = new IsolatedThumbnailer({
        timeoutMs: 60_000,
        processMemoryLimitBytes: 128 * MIB,
        workerFile: MISBEHAVING,
        memoryCheckMs: 60_000,
      });
      await assert.rejects(isolated.make(command("HEAP"), OPTIONS), failsWith(FailureReason.DecodeTooLarge, /128 MiB JavaScript heap/));
    });

    for (const [word, what, pattern] of [
      ["ABUF", "an ArrayBuffer the allocator refuses", /Array buffer allocation failed/],
      ["WASM", "a WebAssembly memory that cannot grow", /WebAssembly\.Memory\.grow\(\): Maximum memory size exceeded/],
    ] as const) {
      it(`records an allocation that fails (${what}) as AllocationFailed, a final verdict, and serves the next image`, async () => {
        isolated = new IsolatedThumbnailer({ timeoutMs: 30_000, processMemoryLimitBytes: 8 * 1024 * MIB, workerFile: MISBEHAVING });
        await assert.rejects(isolated.make(command(word), OPTIONS), failsWith(FailureReason.AllocationFailed, pattern));
        assert.ok(isFinalReason(FailureReason.AllocationFailed), "another attempt would ask for the same memory again");
        assert.strictEqual((await isolated.make(await solid(20, 20, "image/png"), OPTIONS)).facts.format, "png");
      });
    }

    it("turns a thread that dies without an answer into DecoderCrashed for that image only", async () => {
      isolated = new IsolatedThumbnailer({ timeoutMs: 30_000, processMemoryLimitBytes: 8 * 1024 * MIB, workerFile: MISBEHAVING });
      await assert.rejects(isolated.make(command("EXIT"), OPTIONS), failsWith(FailureReason.DecoderCrashed, /exited with code 3/));
      assert.strictEqual((await isolated.make(await solid(20, 20, "image/gif"), OPTIONS)).facts.format, "gif");
    });

    it("lets the process exit while its warm thread sits idle", () => {
      const script = `
        const { IsolatedThumbnailer } = require(${JSON.stringify(path.join(__dirname, "..", "..", "function", "src", "worker", "isolatedThumbnailer.ts"))});
        const isolated = new IsolatedThumbnailer({ timeoutMs: 30000, processMemoryLimitBytes: 2 ** 33, workerFile: ${JSON.stringify(MISBEHAVING)} });
        isolated.make(Buffer.from("THROW"), { sizes: [64], jpegQuality: 80, maxPixels: 1e6 }).catch((err) => console.log("answered: " + err.message));`;
      const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
        encoding: "utf8",
        timeout: 30_000,
        cwd: path.join(__dirname, "..", ".."),
      });
      assert.strictEqual(run.signal, null, "the process had to be killed: the idle thread kept it alive");
      assert.match(run.stdout, /answered: a bug in the core/);
      isolated = new IsolatedThumbnailer({ timeoutMs: 1, processMemoryLimitBytes: 1 }); // nothing to close
    });

    it("passes a plain Error through as itself (a bug, which the handler retries), not as a PermanentError", async () => {
      isolated = new IsolatedThumbnailer({ timeoutMs: 30_000, processMemoryLimitBytes: 8 * 1024 * MIB, workerFile: MISBEHAVING });
      await assert.rejects(isolated.make(command("THROW"), OPTIONS), (err: unknown) => {
        assert.ok(err instanceof Error && !(err instanceof PermanentError));
        assert.deepStrictEqual([err.name, err.message], ["RangeError", "a bug in the core"]);
        return true;
      });
    });
  });
});
