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
import { ExitCode, integerOption, parseOptions, runCli, UsageError } from "../cli";
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

const USAGE = "usage: npm run fuzz -- [--format F] [--cases N] [--seed S] [--findings DIR] [--budget-ms MS] | --replay FILE";

function parseCommandLine(argv: string[]): Args {
  const values = parseOptions(
    argv,
    {
      format: { type: "string" },
      cases: { type: "string", default: "1000" },
      seed: { type: "string", default: "1" },
      findings: { type: "string", default: "fuzz-findings" },
      "budget-ms": { type: "string" },
      replay: { type: "string" },
    },
    USAGE,
  );
  if (values.format !== undefined && !(FORMATS as string[]).includes(values.format)) {
    throw new UsageError(`--format "${values.format}" is not one of ${FORMATS.join(", ")}`);
  }
  return {
    formats: values.format === undefined ? [...FORMATS] : [values.format as SourceFormat],
    cases: integerOption(values.cases, "--cases", 1, "cases"),
    seed: integerOption(values.seed, "--seed", 0),
    findingsDir: values.findings,
    budgetMs: values["budget-ms"] === undefined ? undefined : integerOption(values["budget-ms"], "--budget-ms", 1, "milliseconds"),
    replay: values.replay,
  };
}

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine(argv);
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
      return isFinding(outcome) ? ExitCode.Failed : ExitCode.Ok;
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
    return findings.length > 0 ? ExitCode.Failed : ExitCode.Ok;
  } finally {
    await thumbnailer.close();
    fs.rmSync(workerDir, { recursive: true, force: true });
  }
}

runCli(main);
