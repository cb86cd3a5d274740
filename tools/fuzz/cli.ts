/**
 * `npm run fuzz -- [--format F] [--cases N] [--seed S] [--findings DIR] [--budget-ms MS]`
 * `npm run fuzz -- --replay FILE`
 *
 * Mutation-fuzzes the thumbnail core, format by format, under the function's production
 * bounds (the stack's default timeout and memory, see contract/decodeLimits.ts). Findings are
 * saved as input files plus one JSON line each in DIR/findings.jsonl; a finding becomes a
 * regression fixture by copying its file to tests/function/fixtures/fuzz/.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundleWorkerSync } from "../../function/build";
import { decodeTimeoutMs, processMemoryLimitBytes } from "../../contract/decodeLimits";
import type { SourceFormat } from "../../contract/formats";
import { IsolatedThumbnailer } from "../../function/src/worker/isolatedThumbnailer";
import { validateConfig } from "../../infra/config";
import { isFinding, runCampaign, runCase } from "./campaign";
import { FORMATS } from "./seeds";

interface Args {
  formats: SourceFormat[];
  cases: number;
  seed: number;
  findingsDir: string;
  budgetMs?: number;
  replay?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { formats: [...FORMATS], cases: 1000, seed: 1, findingsDir: "fuzz-findings" };
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`fuzz: ${flag} needs a value`);
    return v;
  };
  const integer = (raw: string, flag: string, min: number) => {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`fuzz: ${flag} must be an integer ≥ ${min}, got "${raw}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--format") {
      const f = value(i++, flag);
      if (!(FORMATS as string[]).includes(f)) throw new Error(`fuzz: --format "${f}" is not one of ${FORMATS.join(", ")}`);
      args.formats = [f as SourceFormat];
    } else if (flag === "--cases") args.cases = integer(value(i++, flag), flag, 1);
    else if (flag === "--seed") args.seed = integer(value(i++, flag), flag, 0);
    else if (flag === "--findings") args.findingsDir = value(i++, flag);
    else if (flag === "--budget-ms") args.budgetMs = integer(value(i++, flag), flag, 1);
    else if (flag === "--replay") args.replay = value(i++, flag);
    else throw new Error(`fuzz: unknown argument "${flag}" (use --format, --cases, --seed, --findings, --budget-ms, --replay)`);
  }
  return args;
}

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const stack = validateConfig({});
  const thumbnailOptions = { sizes: stack.thumbnailSizes, jpegQuality: stack.jpegQuality, maxPixels: stack.maxImagePixels };
  const workerDir = fs.mkdtempSync(path.join(os.tmpdir(), "fuzz-worker-"));
  // The fuzzer's own process is larger than the function's; the bound is the function's on top of it.
  const thumbnailer = new IsolatedThumbnailer({
    timeoutMs: args.budgetMs ?? decodeTimeoutMs(stack.functionTimeoutSeconds),
    processMemoryLimitBytes: process.memoryUsage.rss() + processMemoryLimitBytes(stack.functionMemoryMb),
    workerFile: bundleWorkerSync(workerDir),
    silent: true,
  });
  try {
    if (args.replay) {
      const outcome = await runCase(thumbnailer, fs.readFileSync(args.replay), thumbnailOptions);
      console.log(JSON.stringify({ file: args.replay, finding: isFinding(outcome), ...outcome }));
      process.exitCode = isFinding(outcome) ? 1 : 0;
      return;
    }
    console.log(
      `fuzz: ${args.cases} cases per format (${args.formats.join(", ")}), seed ${args.seed}, budget ${args.budgetMs ?? decodeTimeoutMs(stack.functionTimeoutSeconds)} ms; findings → ${args.findingsDir}/`,
    );
    const { findings } = await runCampaign({
      ...args,
      thumbnailer,
      thumbnailOptions,
      onFinding: (f) =>
        console.log(
          `  FINDING ${f.format} case ${f.case} (${f.seedImage}; ${f.steps.join(" → ")}): ${f.outcome.kind} ${f.outcome.reason ?? ""} ${f.outcome.message ?? ""} → ${f.file}`,
        ),
      onFormat: (s) =>
        console.log(
          `${s.format}: ${s.cases} cases, ${s.findings} findings, max ${Math.round(s.maxMs)} ms, max growth ${mib(s.maxMemoryBytes)}, max RSS ${mib(s.maxRssBytes)}; ${JSON.stringify(s.kinds)}`,
        ),
    });
    process.exitCode = findings.length > 0 ? 1 : 0;
  } finally {
    await thumbnailer.close();
    fs.rmSync(workerDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 2;
});
