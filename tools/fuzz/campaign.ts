/**
 * Runs fuzz cases through the thumbnail core under the function's own backstop (the isolated
 * thumbnailer) and judges each: a thumbnail or a PermanentError is fine; anything else is a
 * finding — a plain error (would be retried forever), a stopped decode (DecodeTimeout,
 * DecodeTooLarge, DecoderCrashed: the backstop caught what a decoder should have refused),
 * or memory beyond the stack's decode rule for the image's size.
 */
import * as fs from "fs";
import * as path from "path";
import { decodeMemoryBytes } from "../../contract/decodeLimits";
import { FailureReason } from "../../contract/failureReasons";
import { PermanentError } from "../../function/src/core/errors";
import type { SourceFormat } from "../../contract/formats";
import { readHeader } from "../../function/src/core/imageHeader";
import type { ThumbnailOptions } from "../../function/src/core/thumbnailer";
import type { IsolatedThumbnailer } from "../../function/src/worker/isolatedThumbnailer";
import { mutate } from "./mutations";
import { mix, rng } from "./prng";
import { EXTENSIONS, SEED_MAKERS, type Seed } from "./seeds";

export type OutcomeKind = "thumbnail" | "refused" | "timeout" | "too-large" | "crashed" | "error" | "memory";

export interface CaseOutcome {
  kind: OutcomeKind;
  reason?: string;
  message?: string;
  ms: number;
  /** Growth of the process's peak resident set during the case, bytes (0 where it cannot be read). */
  memoryBytes: number;
  /** What the decode rule allows for this image (20 bytes a pixel + 128 MiB). */
  allowedBytes: number;
}

export interface Finding {
  format: SourceFormat;
  seedImage: string;
  seed: number;
  case: number;
  steps: string[];
  outcome: CaseOutcome;
  file?: string;
}

export interface FormatSummary {
  format: SourceFormat;
  cases: number;
  findings: number;
  maxMs: number;
  maxMemoryBytes: number;
  /** Peak resident set of the whole process over the format's cases, bytes. */
  maxRssBytes: number;
  kinds: Partial<Record<OutcomeKind, number>>;
}

const BACKSTOP_KIND: Partial<Record<FailureReason, OutcomeKind>> = {
  [FailureReason.DecodeTimeout]: "timeout",
  [FailureReason.DecodeTooLarge]: "too-large",
  [FailureReason.DecoderCrashed]: "crashed",
};

/** Linux lets a process reset its peak resident set (VmHWM), which gives each case its own peak. */
const peak = {
  reset(): boolean {
    try {
      fs.writeFileSync("/proc/self/clear_refs", "5");
      return true;
    } catch {
      return false;
    }
  },
  read(): number {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
      if (match) return Number(match[1]) * 1024;
    } catch {
      // Not Linux.
    }
    return process.memoryUsage.rss();
  },
};

function pixelsOf(bytes: Uint8Array): number {
  try {
    const header = readHeader(bytes);
    return header.width * header.height;
  } catch {
    return 0;
  }
}

export async function runCase(thumbnailer: IsolatedThumbnailer, bytes: Uint8Array, options: ThumbnailOptions): Promise<CaseOutcome> {
  const canReset = peak.reset();
  const before = process.memoryUsage.rss();
  const started = performance.now();
  let outcome: Omit<CaseOutcome, "ms" | "memoryBytes" | "allowedBytes">;
  let pixels = 0;
  try {
    const result = await thumbnailer.make(bytes, options);
    pixels = result.facts.storedWidth * result.facts.storedHeight;
    outcome = { kind: "thumbnail" };
  } catch (err) {
    if (err instanceof PermanentError) {
      const backstop = BACKSTOP_KIND[err.reason];
      outcome = { kind: backstop ?? "refused", reason: err.reason, message: err.message };
      // The core read this header before it failed, so reading it again cannot hang.
      if (!backstop) pixels = Math.min(pixelsOf(bytes), options.maxPixels);
    } else {
      outcome = { kind: "error", reason: (err as Error)?.name, message: (err as Error)?.message ?? String(err) };
    }
  }
  const ms = performance.now() - started;
  const memoryBytes = canReset ? Math.max(0, peak.read() - before) : 0;
  const allowedBytes = decodeMemoryBytes(pixels);
  if ((outcome.kind === "thumbnail" || outcome.kind === "refused") && memoryBytes > allowedBytes) {
    outcome = {
      kind: "memory",
      reason: outcome.reason,
      message: `peak memory grew by ${Math.round(memoryBytes / 2 ** 20)} MiB for ${pixels} pixels; the rule allows ${Math.round(allowedBytes / 2 ** 20)} MiB`,
    };
  }
  return { ...outcome, ms, memoryBytes, allowedBytes };
}

export function isFinding(outcome: CaseOutcome): boolean {
  return outcome.kind !== "thumbnail" && outcome.kind !== "refused";
}

/** Case `index` of a campaign: a function of (seed, format, index) alone, so it can be made again without the ones before it. */
export function makeCase(seeds: Seed[], format: SourceFormat, seed: number, index: number) {
  const r = rng(mix(seed, format, index));
  const from = r.pick(seeds);
  const { bytes, steps } = mutate(from.bytes, format, r);
  return { seedImage: from.name, bytes, steps };
}

export interface CampaignOptions {
  formats: readonly SourceFormat[];
  cases: number;
  seed: number;
  thumbnailer: IsolatedThumbnailer;
  thumbnailOptions: ThumbnailOptions;
  /** Where findings are saved (input file + a line in findings.jsonl); none when unset. */
  findingsDir?: string;
  onFinding?: (finding: Finding) => void;
  onFormat?: (summary: FormatSummary) => void;
}

export async function runCampaign(o: CampaignOptions): Promise<{ summaries: FormatSummary[]; findings: Finding[] }> {
  const findings: Finding[] = [];
  const summaries: FormatSummary[] = [];
  if (o.findingsDir) fs.mkdirSync(o.findingsDir, { recursive: true });
  for (const format of o.formats) {
    const seeds = await SEED_MAKERS[format]();
    const summary: FormatSummary = { format, cases: 0, findings: 0, maxMs: 0, maxMemoryBytes: 0, maxRssBytes: 0, kinds: {} };
    for (let i = 0; i < o.cases; i++) {
      const c = makeCase(seeds, format, o.seed, i);
      const outcome = await runCase(o.thumbnailer, c.bytes, o.thumbnailOptions);
      summary.cases++;
      summary.kinds[outcome.kind] = (summary.kinds[outcome.kind] ?? 0) + 1;
      summary.maxMs = Math.max(summary.maxMs, outcome.ms);
      summary.maxMemoryBytes = Math.max(summary.maxMemoryBytes, outcome.memoryBytes);
      summary.maxRssBytes = Math.max(summary.maxRssBytes, peak.read());
      if (!isFinding(outcome)) continue;
      const finding: Finding = { format, seedImage: c.seedImage, seed: o.seed, case: i, steps: c.steps, outcome };
      if (o.findingsDir) {
        finding.file = path.join(o.findingsDir, `${format}-seed${o.seed}-case${i}.${EXTENSIONS[format]}`);
        fs.writeFileSync(finding.file, c.bytes);
        fs.appendFileSync(path.join(o.findingsDir, "findings.jsonl"), JSON.stringify(finding) + "\n");
      }
      summary.findings++;
      findings.push(finding);
      o.onFinding?.(finding);
    }
    summaries.push(summary);
    o.onFormat?.(summary);
  }
  return { summaries, findings };
}
