/**
 * The function's configuration, read from the environment variables the stack sets (names in
 * contract/environment.ts) and validated once per container. Every problem is reported at
 * once, naming the variable, the value and the rule.
 */
import * as os from "os";
import { processMemoryLimitBytes } from "../../contract/decodeLimits";
import { EnvVar, LambdaRuntimeEnvVar } from "../../contract/environment";
import { parseRenditions, renditionsFromSizes, RENDITIONS_EXAMPLE, type Rendition } from "../../contract/renditions";

export interface FunctionConfig {
  environment: string;
  sourceBucket: string;
  thumbnailBucket: string;
  metadataTable: string;
  /** Bounding-box sizes, largest first; unused when renditions is set (see renditionsOf). */
  thumbnailSizes: number[];
  /** From RENDITIONS, when set: these replace thumbnailSizes. */
  renditions?: Rendition[];
  jpegQuality: number;
  /** WebP quality; optional so hand-built configs may leave it out (CONFIG_DEFAULTS.webpQuality). */
  webpQuality?: number;
  maxObjectBytes: number;
  maxImagePixels: number;
  /** Keep the thumbnails of an upload replaced by a newer upload of its key (docs/lifecycle.md). Optional as below; readConfig always sets it. */
  keepReplacedThumbnails?: boolean;
  /** Per-image decode budget, ms (DecodeTimeout past it). Optional so hand-built test configs may leave it out; readConfig always sets it. */
  decodeTimeoutMs?: number;
  /** Resident-set bound of the whole process while an image decodes (DecodeTooLarge past it). Optional as above. */
  processMemoryLimitBytes?: number;
}

/** Used when the variable is unset; the same defaults as the stack's configuration. */
export const CONFIG_DEFAULTS = {
  thumbnailSizes: [256],
  jpegQuality: 80,
  webpQuality: 80,
  maxObjectBytes: 50 * 1024 * 1024,
  maxImagePixels: 50_000_000,
  /** The stack's: half of its default 60 s timeout (see contract/decodeLimits.ts). */
  decodeTimeoutMs: 30_000,
  keepReplacedThumbnails: false,
} as const;

/**
 * The process memory bound when the Lambda runtime names no memory size (tests, the bench,
 * the fuzzer): the machine's memory stands in for the function's.
 */
export function defaultProcessMemoryLimitBytes(): number {
  return processMemoryLimitBytes(os.totalmem() / 2 ** 20);
}

const SIZE_RANGE = { min: 16, max: 4096, maxCount: 5 };

/** The function's environment variables are missing or invalid (the stack's config has infra/config.ts ConfigError). */
export class FunctionEnvironmentError extends Error {
  override readonly name = "FunctionEnvironmentError";
  constructor(readonly problems: string[]) {
    super(`invalid function environment: ${problems.join("; ")}`);
  }
}

type Env = Record<string, string | undefined>;

export function readConfig(env: Env = process.env): FunctionConfig {
  const problems: string[] = [];

  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set; it must name the ${describe(name)}`);
    return value ?? "";
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name}="${raw}" must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };

  const sizes = (): number[] => {
    const raw = env[EnvVar.ThumbnailSizes]?.trim();
    if (raw === undefined || raw === "") return [...CONFIG_DEFAULTS.thumbnailSizes];
    const parts = raw.split(",").map((p) => p.trim());
    const values = parts.map(Number);
    const valid =
      parts.every((p) => /^\d+$/.test(p)) &&
      values.every((v) => v >= SIZE_RANGE.min && v <= SIZE_RANGE.max) &&
      values.length <= SIZE_RANGE.maxCount &&
      new Set(values).size === values.length;
    if (!valid) {
      problems.push(
        `${EnvVar.ThumbnailSizes}="${raw}" must be 1 to ${SIZE_RANGE.maxCount} distinct comma-separated integers from ${SIZE_RANGE.min} to ${SIZE_RANGE.max}, e.g. "256" or "128,512"`,
      );
      return [...CONFIG_DEFAULTS.thumbnailSizes];
    }
    return values.sort((a, b) => b - a);
  };

  const renditions = (): Rendition[] | undefined => {
    const raw = env[EnvVar.Renditions]?.trim();
    if (raw === undefined || raw === "") return undefined;
    const sizesRaw = env[EnvVar.ThumbnailSizes]?.trim();
    if (sizesRaw) {
      problems.push(
        `${EnvVar.Renditions} and ${EnvVar.ThumbnailSizes}="${sizesRaw}" are both set; set one of them (renditions replace sizes)`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      problems.push(`${EnvVar.Renditions}='${raw}' must be JSON, e.g. '${RENDITIONS_EXAMPLE}'`);
      return undefined;
    }
    const result = parseRenditions(parsed);
    for (const problem of result.problems) problems.push(`${EnvVar.Renditions}='${raw}': ${problem}`);
    return result.problems.length > 0 ? undefined : result.renditions;
  };

  const memoryLimit = (): number => {
    const name = LambdaRuntimeEnvVar.FunctionMemorySize;
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") return defaultProcessMemoryLimitBytes();
    // Lambda's own range: 128 MB to 10,240 MB.
    const mb = integer(name, 0, 128, 10_240);
    return mb > 0 ? processMemoryLimitBytes(mb) : defaultProcessMemoryLimitBytes();
  };

  const flag = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") return fallback;
    if (raw === "true" || raw === "false") return raw === "true";
    problems.push(`${name}="${raw}" must be "true" or "false"`);
    return fallback;
  };

  const config: FunctionConfig = {
    environment: required(EnvVar.Environment),
    sourceBucket: required(EnvVar.SourceBucket),
    thumbnailBucket: required(EnvVar.ThumbnailBucket),
    metadataTable: required(EnvVar.MetadataTable),
    thumbnailSizes: sizes(),
    ...optional("renditions", renditions()),
    jpegQuality: integer(EnvVar.JpegQuality, CONFIG_DEFAULTS.jpegQuality, 1, 100),
    webpQuality: integer(EnvVar.WebpQuality, CONFIG_DEFAULTS.webpQuality, 1, 100),
    maxObjectBytes: integer(EnvVar.MaxObjectBytes, CONFIG_DEFAULTS.maxObjectBytes, 1, Number.MAX_SAFE_INTEGER),
    maxImagePixels: integer(EnvVar.MaxImagePixels, CONFIG_DEFAULTS.maxImagePixels, 1, Number.MAX_SAFE_INTEGER),
    decodeTimeoutMs: integer(EnvVar.DecodeTimeoutMs, CONFIG_DEFAULTS.decodeTimeoutMs, 100, 900_000),
    processMemoryLimitBytes: memoryLimit(),
    keepReplacedThumbnails: flag(EnvVar.KeepReplacedThumbnails, CONFIG_DEFAULTS.keepReplacedThumbnails),
  };
  if (problems.length > 0) throw new FunctionEnvironmentError(problems);
  return config;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [k in K]?: V });
}

/** The renditions this configuration makes: RENDITIONS, or those thumbnailSizes stands for. */
export function renditionsOf(config: Pick<FunctionConfig, "thumbnailSizes" | "renditions">): Rendition[] {
  return config.renditions ?? renditionsFromSizes(config.thumbnailSizes);
}

/** The limits an attempt runs under, as attemptSpecOf (contract/renditionSpec.ts) counts them. */
export function attemptLimitsOf(config: FunctionConfig): { decodeTimeoutMs: number; processMemoryLimitBytes: number } {
  const limits = decodeLimitsOf(config);
  return { decodeTimeoutMs: limits.timeoutMs, processMemoryLimitBytes: limits.processMemoryLimitBytes };
}

/** The per-image decode bounds of this configuration (defaults for a hand-built config that leaves them out). */
export function decodeLimitsOf(config: FunctionConfig): { timeoutMs: number; processMemoryLimitBytes: number } {
  return {
    timeoutMs: config.decodeTimeoutMs ?? CONFIG_DEFAULTS.decodeTimeoutMs,
    processMemoryLimitBytes: config.processMemoryLimitBytes ?? defaultProcessMemoryLimitBytes(),
  };
}

function describe(name: string): string {
  switch (name) {
    case EnvVar.Environment:
      return "stack environment (dev, prod, …)";
    case EnvVar.SourceBucket:
      return "bucket uploads arrive in";
    case EnvVar.ThumbnailBucket:
      return "bucket thumbnails are written to";
    default:
      return "ImageMetadata table";
  }
}
