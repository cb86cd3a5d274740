/**
 * `npm start` end to end: the command runs as a child process, exactly as a user runs it, on
 * images this test makes, and its report, out directory and page are checked against each
 * other and against the images. Every run gets a private TMPDIR, so "nothing left behind" is
 * checked by that directory being empty afterwards.
 */
import { strict as assert } from "assert";
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Jimp } from "jimp";
import { decompressionBombPng } from "../../local/samples";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS package
const piexif = require("piexifjs");

const ROOT = path.join(__dirname, "..", "..");
const TS_NODE = require.resolve("ts-node/dist/bin.js");

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Started {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  done: Promise<Finished>;
}

/** Runs still going when a test ends (it failed midway) are stopped, so mocha can exit. */
const running = new Set<ChildProcess>();

async function stopStragglers(): Promise<void> {
  for (const child of running) {
    const closed = new Promise((resolve) => child.once("close", resolve));
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await closed;
    clearTimeout(timer);
  }
}

function start(args: string[], tmpdir: string): Started {
  const child = spawn(process.execPath, [TS_NODE, "--transpile-only", path.join(ROOT, "local", "start.ts"), ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      TMPDIR: tmpdir,
      DEBUG: "",
      // ts-node's compile cache lives in TMPDIR: keep it where it always is, so the private
      // TMPDIR holds only what the run itself makes (and startup stays fast).
      V8_COMPILE_CACHE_CACHE_DIR: path.join(os.tmpdir(), `v8-compile-cache-${process.getuid?.() ?? ""}`, process.versions.v8),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk) => (output.stdout += chunk));
  child.stderr.on("data", (chunk) => (output.stderr += chunk));
  running.add(child);
  const done = new Promise<Finished>((resolve) =>
    child.on("close", (code) => {
      running.delete(child);
      resolve({ code, ...output });
    }),
  );
  return { child, output, done };
}

async function waitFor(what: string, condition: () => boolean, run?: Started, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${run ? `; stdout:\n${run.output.stdout}\nstderr:\n${run.output.stderr}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The endpoints the run announced on stderr. */
function endpoints(stderr: string): number[] {
  return [...stderr.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

/** Processes whose command line mentions `dir` (Linux /proc; elsewhere none can be seen). */
function processesUsing(dir: string): string[] {
  if (!fs.existsSync("/proc/self/cmdline")) return [];
  const found: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmdline.includes(dir)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // The process ended while being read.
    }
  }
  return found;
}

async function photoJpeg(width: number, height: number): Promise<Buffer> {
  const image = new Jimp({ width, height, color: 0x3366ccff });
  for (let y = 0; y < height / 2; y++) for (let x = 0; x < width / 2; x++) image.setPixelColor(0xee3322ff, x, y);
  return image.getBuffer("image/jpeg", { quality: 90 });
}

/** Stored 400×300 with EXIF orientation 6: displayed upright it is 300×400. */
async function sidewaysJpeg(): Promise<Buffer> {
  const jpeg = await photoJpeg(400, 300);
  const exif = piexif.dump({ "0th": { [piexif.ImageIFD.Orientation]: 6 } });
  return Buffer.from(piexif.insert(exif, jpeg.toString("binary")), "binary");
}

interface ReportImage {
  key: string;
  imageId: string | null;
  status: "SUCCEEDED" | "FAILED";
  reason: string | null;
  width: number | null;
  height: number | null;
  thumbnails: Array<{ key: string; width: number; height: number; bytes: number }>;
  durationMs: number;
}

describe("npm start (local pipeline)", function () {
  this.timeout(180_000);
  let work: string;
  const makeWork = () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "local-start-spec-"));
  };
  const removeWork = async () => {
    await stopStragglers();
    fs.rmSync(work, { recursive: true, force: true });
  };

  describe("on a folder of images including a corrupt file and a decompression bomb", () => {
    const expected: Record<string, { status: "SUCCEEDED" | "FAILED"; width?: number; height?: number }> = {
      "photos/wide photo.jpg": { status: "SUCCEEDED", width: 640, height: 320 },
      "photos/sideways phone+photo ü.jpg": { status: "SUCCEEDED", width: 300, height: 400 },
      "logo.png": { status: "SUCCEEDED", width: 200, height: 100 },
      "broken/truncated.jpg": { status: "FAILED" },
      "broken/bomb.png": { status: "FAILED" },
    };
    let result: Finished;
    let out: string;
    let report: {
      summary: Record<string, unknown> & { metrics: Array<{ name: string; sum: number; dimensions: Record<string, string> }> };
      images: ReportImage[];
    };
    let tmp: string;

    // One run, checked from several sides.
    before(async () => {
      makeWork();
      const input = path.join(work, "in");
      out = path.join(work, "out");
      tmp = path.join(work, "tmp");
      fs.mkdirSync(tmp);
      const put = (key: string, bytes: Buffer) => {
        fs.mkdirSync(path.dirname(path.join(input, key)), { recursive: true });
        fs.writeFileSync(path.join(input, key), bytes);
      };
      const wide = await photoJpeg(640, 320);
      put("photos/wide photo.jpg", wide);
      put("photos/sideways phone+photo ü.jpg", await sidewaysJpeg());
      const logo = new Jimp({ width: 200, height: 100, color: 0x00000000 });
      for (let x = 50; x < 150; x++) for (let y = 25; y < 75; y++) logo.setPixelColor(0x22aa44ff, x, y);
      put("logo.png", await logo.getBuffer("image/png"));
      put("broken/truncated.jpg", wide.subarray(0, Math.floor(wide.length / 3)));
      put("broken/bomb.png", decompressionBombPng(20000));

      const run = start(
        ["--input", input, "--out", out, "--report", path.join(work, "report.json"), "--concurrency", "2", "--no-progress"],
        tmp,
      );
      result = await run.done;
      assert.equal(result.code, 0, `exit code ${result.code}; stderr:\n${result.stderr}`);
      report = JSON.parse(fs.readFileSync(path.join(work, "report.json"), "utf8"));
    });
    after(removeWork);

    it("reports every input once with the status, reason, dimensions and thumbnails the function recorded", () => {
      const byKey = new Map(report.images.map((image) => [image.key, image]));
      assert.deepEqual([...byKey.keys()].sort(), Object.keys(expected).sort());
      for (const [key, want] of Object.entries(expected)) {
        const image = byKey.get(key)!;
        assert.equal(image.status, want.status, `${key}: ${JSON.stringify(image)}`);
        assert.match(String(image.imageId), /^[0-9a-f]{32}$/, `${key} has an ImageID`);
        assert.ok(image.durationMs > 0, `${key} has a duration`);
        if (want.status === "SUCCEEDED") {
          assert.equal(image.reason, null);
          assert.deepEqual([image.width, image.height], [want.width, want.height], `${key} displayed size`);
          assert.equal(image.thumbnails.length, 1, `${key}: one thumbnail at the default size`);
          const [thumb] = image.thumbnails;
          assert.ok(Math.max(thumb.width, thumb.height) <= 256 && thumb.width > 0 && thumb.height > 0, `${key} thumbnail fits 256`);
          // Aspect ratio kept within rounding, orientation honoured (portrait stays portrait).
          assert.ok(Math.abs(thumb.width / thumb.height - want.width! / want.height!) < 0.02, `${key} aspect ratio`);
        } else {
          assert.ok(image.reason && image.reason.length > 0, `${key} carries a failure reason`);
          assert.deepEqual(image.thumbnails, []);
        }
      }
      assert.notEqual(
        byKey.get("broken/bomb.png")!.reason,
        byKey.get("broken/truncated.jpg")!.reason,
        "a bomb and a corrupt file fail for different reasons",
      );
    });

    it("summarises counts, failures by reason, timings and the function's EMF metrics", () => {
      const s = report.summary;
      assert.equal(s.images, 5);
      assert.equal(s.succeeded, 3);
      assert.equal(s.failed, 2);
      assert.equal(
        Object.values(s.failedByReason as Record<string, number>).reduce((a, b) => a + b, 0),
        2,
      );
      const durations = s.durationMs as { p50: number; p95: number; max: number };
      assert.ok(durations.p50 > 0 && durations.p50 <= durations.p95 && durations.p95 <= durations.max);
      assert.ok((s.imagesPerSecond as number) > 0);
      assert.ok((s.peakContainerMemoryBytes as number) > 10 * 1024 * 1024);
      const total = (name: string) =>
        s.metrics.filter((m) => m.name === name && Object.keys(m.dimensions).length === 0).reduce((a, m) => a + m.sum, 0);
      assert.equal(total("ImagesProcessed"), 3, "ImagesProcessed from EMF");
      assert.equal(total("ImagesFailed"), 2, "ImagesFailed from EMF");
      assert.match(result.stdout, /5 images, 3 succeeded, 2 failed/);
      assert.match(result.stdout, /ImagesProcessed/);
    });

    it("copies each thumbnail, metadata record and function log to the out directory", async () => {
      for (const image of report.images) {
        const record = JSON.parse(fs.readFileSync(path.join(out, "records", `${image.key}.json`), "utf8"));
        assert.equal(record.ImageID, image.imageId);
        assert.equal(record.SourceKey, image.key, "the key round-trips through URL encoding");
        assert.equal(record.Status, image.status);
        for (const thumb of image.thumbnails) {
          const file = path.join(out, "thumbnails", thumb.key);
          assert.equal(fs.statSync(file).size, thumb.bytes, `${thumb.key} bytes on disk`);
          const decoded = await Jimp.read(file);
          assert.deepEqual([decoded.bitmap.width, decoded.bitmap.height], [thumb.width, thumb.height]);
        }
        assert.ok(fs.existsSync(path.join(out, "originals", image.key)), `${image.key} original copied for the page`);
        const log = fs.readFileSync(path.join(out, "logs", `${image.key}.log`), "utf8");
        assert.match(log, /^--- attempt 1/, `${image.key}: the function's output is kept per attempt`);
        assert.ok(log.includes(String(image.imageId)), `${image.key}: the log is this image's`);
      }
    });

    it("writes a page showing each original beside its thumbnails with status and record", () => {
      const html = fs.readFileSync(path.join(out, "index.html"), "utf8");
      for (const image of report.images) {
        const escapedKey = image.key.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/'/g, "&#39;");
        assert.ok(html.includes(escapedKey), `page names ${image.key}`);
        const originalUrl = ["originals", ...image.key.split("/")].map(encodeURIComponent).join("/");
        if (image.status === "SUCCEEDED") {
          assert.ok(html.includes(`src="${originalUrl}"`), `page shows the original of ${image.key}`);
        } else {
          // A browser would try to decode a 20000×20000 bomb: failed originals are only linked.
          assert.ok(
            html.includes(`href="${originalUrl}"`) && !html.includes(`src="${originalUrl}"`),
            `page links, not embeds, ${image.key}`,
          );
        }
        for (const thumb of image.thumbnails) {
          const url = ["thumbnails", ...thumb.key.split("/")].map(encodeURIComponent).join("/");
          assert.ok(html.includes(`src="${url}"`), `page shows thumbnail ${thumb.key}`);
        }
        assert.ok(html.includes(String(image.imageId)), `page shows the record of ${image.key}`);
      }
      assert.equal((html.match(/class="status">FAILED/g) ?? []).length, 2);
      assert.equal((html.match(/class="status">SUCCEEDED/g) ?? []).length, 3);
    });

    it("leaves nothing listening and no temporary files", async () => {
      const ports = endpoints(result.stderr);
      assert.equal(ports.length, 2, `S3 and DynamoDB endpoints announced: ${result.stderr}`);
      for (const port of ports) assert.ok(await refusesConnections(port), `port ${port} closed`);
      assert.deepEqual(fs.readdirSync(tmp), []);
      assert.deepEqual(processesUsing(tmp), [], "no function container outlives the run");
    });
  });

  describe("--watch", () => {
    beforeEach(makeWork);
    afterEach(removeWork);
    it("processes a file dropped into the input folder, and Ctrl-C shuts everything down cleanly", async () => {
      const input = path.join(work, "in");
      const tmp = path.join(work, "tmp");
      fs.mkdirSync(input);
      fs.mkdirSync(tmp);
      fs.writeFileSync(path.join(input, "first.jpg"), await photoJpeg(300, 200));
      const run = start(["--input", input, "--out", path.join(work, "out"), "--watch", "--concurrency", "1", "--no-progress"], tmp);
      await waitFor("the watch to start", () => run.output.stderr.includes("Watching"), run);
      fs.writeFileSync(path.join(input, "dropped later.jpg"), await photoJpeg(120, 240));
      await waitFor("the dropped file to be processed", () => /SUCCEEDED dropped later\.jpg/.test(run.output.stdout), run);
      const page = fs.readFileSync(path.join(work, "out", "index.html"), "utf8");
      assert.ok(page.includes("dropped later.jpg"), "the page is updated");
      // A file removed from the folder is deleted from the source bucket, and the function deletes its thumbnails.
      const firstRecord = JSON.parse(fs.readFileSync(path.join(work, "out", "records", "first.jpg.json"), "utf8"));
      fs.rmSync(path.join(input, "first.jpg"));
      await waitFor("the removal to be handled", () => /DELETED first\.jpg \(removed from the folder\)/.test(run.output.stdout), run);
      const deleted = JSON.parse(fs.readFileSync(path.join(work, "out", "records", "first.jpg.json"), "utf8"));
      assert.equal(deleted.ImageID, firstRecord.ImageID, "the same upload's record");
      assert.equal(deleted.Status, "DELETED");
      assert.ok(deleted.ThumbnailsRemovedAt);
      assert.match(fs.readFileSync(path.join(work, "out", "index.html"), "utf8"), /<span class="status">DELETED<\/span> first\.jpg/);
      assert.ok(processesUsing(tmp).length > 0 || !fs.existsSync("/proc/self/cmdline"), "a warm container is seen while the run lives");
      run.child.kill("SIGINT");
      const finished = await run.done;
      assert.equal(finished.code, 0, finished.stderr);
      for (const port of endpoints(finished.stderr)) assert.ok(await refusesConnections(port), `port ${port} closed`);
      assert.deepEqual(fs.readdirSync(tmp), []);
      assert.deepEqual(processesUsing(tmp), [], "no function container outlives the run");
    });
  });

  describe("Ctrl-C", () => {
    beforeEach(makeWork);
    afterEach(removeWork);

    it("stops a run midway with exit code 130, closing the servers and removing every temporary file", async () => {
      const input = path.join(work, "in");
      const tmp = path.join(work, "tmp");
      fs.mkdirSync(input);
      fs.mkdirSync(tmp);
      // Enough work that the run is surely still busy when interrupted.
      const big = await photoJpeg(2400, 1600);
      for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(input, `photo ${i}.jpg`), big);
      const run = start(["--input", input, "--out", path.join(work, "out"), "--concurrency", "1", "--no-progress"], tmp);
      await waitFor("the run to start", () => run.output.stderr.includes("Stack dev:"), run);
      run.child.kill("SIGINT");
      const finished = await run.done;
      assert.equal(finished.code, 130, finished.stderr);
      assert.match(finished.stderr, /Shutting down/);
      assert.doesNotMatch(finished.stdout, /12 images/, "no summary of an unfinished run");
      const ports = endpoints(finished.stderr);
      assert.equal(ports.length, 2);
      for (const port of ports) assert.ok(await refusesConnections(port), `port ${port} closed`);
      assert.deepEqual(fs.readdirSync(tmp), []);
      // The function containers run from a directory under the run's TMPDIR.
      assert.deepEqual(processesUsing(tmp), [], "no function container outlives the run");
    });
  });

  describe("errors", () => {
    beforeEach(makeWork);
    afterEach(removeWork);
    async function failing(args: string[]): Promise<Finished> {
      const tmp = path.join(work, "tmp");
      fs.mkdirSync(tmp, { recursive: true });
      const finished = await start(args, tmp).done;
      assert.deepEqual(fs.readdirSync(tmp), [], "no temporary files left");
      return finished;
    }
    const oneLine = (text: string) => text.trim().split("\n");

    it("refuses a bad --concurrency with one line naming the option, value and rule", async () => {
      for (const value of ["0", "two"]) {
        const { code, stderr } = await failing(["--concurrency", value]);
        assert.equal(code, 2);
        assert.equal(oneLine(stderr).length, 1, stderr);
        assert.match(stderr, /--concurrency.*must be an integer from 1 to/);
      }
    });

    it("refuses unreadable input with one line naming the path", async () => {
      const missing = path.join(work, "no such folder");
      const { code, stderr } = await failing(["--input", missing, "--out", path.join(work, "out")]);
      assert.equal(code, 2);
      assert.equal(oneLine(stderr).length, 1, stderr);
      assert.ok(stderr.includes(missing) && /cannot read/.test(stderr), stderr);
    });

    it("refuses a port in use with one line naming the port, and starts nothing", async () => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      const port = (blocker.address() as net.AddressInfo).port;
      try {
        const input = path.join(work, "in");
        fs.mkdirSync(input);
        fs.writeFileSync(path.join(input, "a.jpg"), await photoJpeg(32, 32));
        const { code, stderr } = await failing(["--input", input, "--out", path.join(work, "out"), "--s3-port", String(port)]);
        assert.equal(code, 3);
        assert.equal(oneLine(stderr).length, 1, stderr);
        assert.match(stderr, new RegExp(`port ${port} is already in use`));
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    });
  });
});
