/**
 * `npm run soak`: N varied uploads through the local pipeline with faults on, then an audit of
 * the end state (local/soak/audit.ts). Exit codes: 0 the audit is clean; 1 it found problems
 * (each printed); 2 bad arguments; 3 the machine cannot run it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ExitCode, integerOption, parseOptions, runCli, UsageError } from "../../tools/cli";
import { MAX_CONCURRENCY, MAX_SEED, randomSeed } from "../cli/args";
import { FAULT_KINDS, formatFaultSpec, NO_FAULTS, parseFaultSpec } from "../faults/spec";
import { audit, type AuditResult } from "./audit";
import { makeImagePool, planUploads } from "./corpus";
import { runSoak, type SoakOptions, type SoakState } from "./soakRun";

const USAGE = `usage: npm run soak -- --uploads <n> [--faults <spec>] [--concurrency <c>] [--seed <s>] [--json <file>] [--stack <name>]
  --uploads <n>       uploads to make (keys uploaded several times count each time)
  --faults <spec>     faults to inject, e.g. s3-get=0.05,s3-put=0.05,dynamodb=0.05,throttle=0.05,crash=0.01,duplicate=0.1,reorder
                      (${Object.keys(FAULT_KINDS).join(", ")}; default: none)
  --concurrency <c>   function containers at once, 1-${MAX_CONCURRENCY} (default: CPU cores)
  --seed <s>          seed of the images, the keys and every fault decision, 0-${MAX_SEED} (default: random, printed)
  --json <file>       write the figures and problems as JSON
  --stack <name>      stack whose config names the resources (default: dev)`;

/** Everything the soak prints and writes. */
export interface SoakReport {
  clean: boolean;
  options: { uploads: number; faults: string; seed: number; concurrency: number; stack: string };
  figures: AuditResult["figures"] & {
    injectedFaults: Record<string, number>;
    requestsThroughProxies: { s3: number; dynamodb: number };
    deadLetterMessages: number;
    wallSeconds: number;
    uploadsPerSecond: number;
    peakMemory: { runnerBytes: number; functionContainerBytes: number };
  };
  problems: string[];
}

export function soakReport(result: AuditResult, state: SoakState, options: SoakReport["options"]): SoakReport {
  const wallSeconds = state.wallMs / 1000;
  return {
    clean: result.clean,
    options,
    figures: {
      ...result.figures,
      injectedFaults: state.faults.counts.toJSON(),
      requestsThroughProxies: state.faults.requests,
      deadLetterMessages: state.deadLetters.messages.length,
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      uploadsPerSecond: Math.round((state.traces.length / Math.max(wallSeconds, 0.001)) * 100) / 100,
      peakMemory: { runnerBytes: process.resourceUsage().maxRSS * 1024, functionContainerBytes: state.lambda.peakContainerRssBytes },
    },
    problems: result.problems,
  };
}

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

export function formatSoakReport(report: SoakReport): string {
  const f = report.figures;
  const injected = Object.entries(f.injectedFaults)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  const reasons = Object.entries(f.failedByReason)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r} ${n}`)
    .join(", ");
  const lines = [
    `soak: ${f.uploads} uploads of ${f.keys} keys (${f.keysUploadedSeveralTimes} uploaded several times), faults ${report.options.faults}, seed ${report.options.seed}, concurrency ${report.options.concurrency}`,
    `  outcome: ${f.succeeded} SUCCEEDED, ${f.replaced} REPLACED, ${f.failed} FAILED${reasons ? ` (${reasons})` : ""}, ${f.deadLettered} dead-lettered, lost ${f.lost}`,
    `  thumbnails: orphaned ${f.orphanedThumbnails}, awaiting redrive ${f.thumbnailsAwaitingRedrive}`,
    `  injected faults: ${injected} (over ${f.requestsThroughProxies.s3} S3 and ${f.requestsThroughProxies.dynamodb} DynamoDB requests)`,
    `  deliveries: ${f.deliveries} (${f.duplicatesDelivered} duplicates), ${f.invocations} invocations, ${f.retries} retries, ${f.crashedInvocations} crashed; duplicates absorbed ${f.duplicatesAbsorbed}; dead-letter messages ${f.deadLetterMessages} (${f.deadLettersOfRecordedUploads} of uploads recorded anyway)`,
    `  metrics: ImagesProcessed ${f.metrics.imagesProcessed} for ${f.succeeded} SUCCEEDED, ImagesFailed ${f.metrics.imagesFailed} for ${f.failed} FAILED; ${f.metrics.lostWithFailedAttempts} not counted because the attempt that recorded them died`,
    `  wall time ${f.wallSeconds} s, ${f.uploadsPerSecond} uploads/s; peak memory ${mb(f.peakMemory.runnerBytes)} runner, ${mb(f.peakMemory.functionContainerBytes)} per function container`,
    report.clean ? "  audit: clean" : `  audit: ${report.problems.length} problems`,
  ];
  for (const problem of report.problems.slice(0, 50)) lines.push(`    ${problem}`);
  if (report.problems.length > 50) lines.push(`    … and ${report.problems.length - 50} more (see --json)`);
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const values = parseOptions(
    argv,
    {
      uploads: { type: "string" },
      faults: { type: "string" },
      concurrency: { type: "string" },
      seed: { type: "string" },
      json: { type: "string" },
      stack: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return ExitCode.Ok;
  }
  if (values.uploads === undefined) throw new UsageError(`--uploads: required (how many uploads to make)\n${USAGE}`);
  const uploads = integerOption(values.uploads, "--uploads", 1, "uploads");
  const concurrency =
    values.concurrency === undefined
      ? Math.min(MAX_CONCURRENCY, os.availableParallelism())
      : integerOption(values.concurrency, "--concurrency", 1);
  if (concurrency > MAX_CONCURRENCY) throw new UsageError(`--concurrency ${concurrency}: must be at most ${MAX_CONCURRENCY}`);
  const seed = values.seed === undefined ? randomSeed() : integerOption(values.seed, "--seed", 0);
  if (seed > MAX_SEED) throw new UsageError(`--seed ${seed}: must be at most ${MAX_SEED}`);
  const faults = values.faults === undefined ? NO_FAULTS : parseFaultSpec(values.faults);
  const base = process.env.INIT_CWD || process.cwd();
  const json = values.json === undefined ? undefined : path.resolve(base, values.json);
  const options: SoakOptions = { stack: values.stack ?? "dev", concurrency, faults, seed };

  process.stderr.write(`soak: making ${uploads} uploads (seed ${seed})…\n`);
  const plan = planUploads(uploads, await makeImagePool(), seed);
  let lastShown = 0;
  let report: SoakReport | undefined;
  await runSoak(
    plan,
    options,
    (done, total) => {
      if (done === total || done - lastShown >= Math.max(50, Math.ceil(total / 20))) {
        lastShown = done;
        process.stderr.write(`soak: ${done}/${total} delivered\n`);
      }
    },
    async (state) => {
      const result = await audit(state);
      report = soakReport(result, state, { uploads, faults: formatFaultSpec(faults), seed, concurrency, stack: options.stack });
    },
  );
  process.stdout.write(formatSoakReport(report!) + "\n");
  if (json) {
    fs.mkdirSync(path.dirname(json), { recursive: true });
    fs.writeFileSync(json, JSON.stringify(report, null, 2) + "\n");
  }
  return report!.clean ? ExitCode.Ok : ExitCode.Failed;
}

if (require.main === module) runCli(main);
