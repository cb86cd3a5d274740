/**
 * Same-process A/B of the decode backstop's warm cost: one 12 MP JPEG, the direct core and
 * the isolated runner alternated call by call, so both see the same machine load. The full
 * bench runs each in its own process, where load drift between them swamps a 5% difference.
 * Usage: ts-node --transpile-only bench/backstopAb.ts [iterations] [memoryCheckMs,...]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { photoPixels } from "./images";
import { makeThumbnails, type ThumbnailOptions } from "../function/src/core/thumbnailer";
import { IsolatedThumbnailer } from "../function/src/worker/isolatedThumbnailer";

const OPTIONS: ThumbnailOptions = { sizes: [256], jpegQuality: 80, maxPixels: 50_000_000 };
const WARM_UP = 5;

async function jpeg12mp(): Promise<Buffer> {
  const cached = path.join(os.tmpdir(), "backstop-ab-jpeg-12mp.jpeg");
  if (fs.existsSync(cached)) return fs.readFileSync(cached);
  const bytes = await sharp(photoPixels(4000, 3000, 3), { raw: { width: 4000, height: 3000, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
  fs.writeFileSync(cached, bytes);
  return bytes;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function timed(call: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await call();
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 25);
  const checks = (process.argv[3] ?? "5").split(",").map(Number);
  const bytes = await jpeg12mp();
  const variants: Array<{
    name: string;
    prepare?: () => Uint8Array;
    call: (input?: Uint8Array) => Promise<unknown>;
    close?: () => Promise<void>;
  }> = [{ name: "direct core", call: () => makeThumbnails(bytes, OPTIONS) }];
  for (const memoryCheckMs of checks) {
    const isolated = new IsolatedThumbnailer({ timeoutMs: 600_000, processMemoryLimitBytes: 64 * 2 ** 30, memoryCheckMs });
    await isolated.warm();
    variants.push({
      name: `isolated, check ${memoryCheckMs} ms`,
      call: () => isolated.make(bytes, OPTIONS),
      close: () => isolated.close(),
    });
    // As the handler calls it: the upload's buffer (read from S3 beforehand, so made untimed here) handed over.
    variants.push({
      name: `handed over, check ${memoryCheckMs} ms`,
      prepare: () => new Uint8Array(bytes),
      call: (given) => isolated.make(given!, OPTIONS, { handOver: true }),
    });
  }
  for (let i = 0; i < WARM_UP; i++) for (const v of variants) await v.call(v.prepare?.());
  const samples = variants.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let i = 0; i < iterations; i++) {
    // Rotate the order so no variant always runs right after the same other one.
    for (let k = 0; k < variants.length; k++) {
      const j = (i + k) % variants.length;
      const input = variants[j].prepare?.();
      const t = await timed(() => variants[j].call(input));
      samples[j].wall.push(t.wallMs);
      samples[j].cpu.push(t.cpuMs);
    }
  }

  console.log(
    `jpeg-12mp (${bytes.length} bytes), ${iterations} alternated runs after ${WARM_UP} warm-up, load ${os.loadavg()[0].toFixed(2)}, ${new Date().toISOString()}`,
  );
  // The lower quartile as well as the median: on a loaded machine it is the less disturbed figure.
  for (const [label, q] of [
    ["median", 0.5],
    ["p25", 0.25],
  ] as const) {
    const base = { wall: quantile(samples[0].wall, q), cpu: quantile(samples[0].cpu, q) };
    variants.forEach((v, j) => {
      const wall = quantile(samples[j].wall, q);
      const cpu = quantile(samples[j].cpu, q);
      const pct = (x: number, b: number) => `${x >= b ? "+" : ""}${(((x - b) / b) * 100).toFixed(1)}%`;
      console.log(
        `${label.padEnd(7)}${v.name.padEnd(30)} wall ${wall.toFixed(1).padStart(6)} ms (${pct(wall, base.wall).padStart(7)})   cpu ${cpu.toFixed(1).padStart(6)} ms (${pct(cpu, base.cpu).padStart(7)})`,
      );
    });
  }
  for (const v of variants) await v.close?.();
}

void main();
