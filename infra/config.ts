/**
 * The stack's parameters: one typed definition of every config key, its default and its rule.
 *
 * `validateConfig(raw)` is pure (no Pulumi in it) so tests and tools can call it directly; it
 * accepts values as the Pulumi CLI hands them to a program (strings, JSON for lists and maps)
 * or already typed, applies the defaults, and throws a ConfigError naming the key, the bad
 * value and the rule. `loadConfig()` is the thin reader the program uses.
 *
 * Pulumi.yaml declares the same keys with the same defaults (the CLI applies those); a test
 * keeps the two in step.
 */
import * as pulumi from "@pulumi/pulumi";
import { bucketNameProblem } from "./naming";
import { MAX_IDLE_ALARM_HOURS } from "./monitoring/alarmLimits";
import { DECODE_BYTES_PER_PIXEL, RUNTIME_BASE_BYTES, decodeMemoryBytes } from "../contract/decodeLimits";
import { parseRenditions, RENDITIONS_EXAMPLE, type Rendition } from "../contract/renditions";

/** The decode memory rule lives with the function, which enforces it (see its contract/decodeLimits.ts). */
export { decodeMemoryBytes };

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Storage classes a lifecycle transition of the source images may target. */
export const TRANSITION_STORAGE_CLASSES = ["STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const;
export type TransitionStorageClass = (typeof TRANSITION_STORAGE_CLASSES)[number];

export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Tag keys the stack sets itself; extraTags may not override them. */
export const RESERVED_TAG_KEYS = ["Project", "Environment", "ManagedBy"] as const;

export interface PipelineConfig {
  environment: Environment;
  /** Explicit physical name, or undefined to derive one (see naming.ts). */
  sourceBucketName?: string;
  thumbnailBucketName?: string;
  /** Bounding-box sizes in pixels, ascending, unique. */
  thumbnailSizes: number[];
  /** Named renditions (contract/renditions.ts), replacing thumbnailSizes; undefined when not set. */
  renditions?: Rendition[];
  jpegQuality: number;
  /** WebP quality of renditions that ask for WebP. */
  webpQuality: number;
  /** Keep a replaced upload's thumbnails (its record still becomes REPLACED). */
  keepReplacedThumbnails: boolean;
  /** Serve thumbnails through a CloudFront distribution (the bucket stays private). */
  cdn: boolean;
  maxObjectBytes: number;
  maxImagePixels: number;
  functionMemoryMb: number;
  functionTimeoutSeconds: number;
  logRetentionDays: number;
  logLevel: LogLevel;
  /** 0 = no reservation (the function shares the account's unreserved pool). */
  reservedConcurrency: number;
  sourceVersioning: boolean;
  noncurrentVersionExpirationDays: number;
  /** 0 = no transition. */
  sourceTransitionDays: number;
  sourceTransitionStorageClass: TransitionStorageClass;
  /** Buckets and table: `protect` and `retainOnDelete` in Pulumi, deletion protection on the table. */
  protectData: boolean;
  pointInTimeRecovery: boolean;
  extraTags: Record<string, string>;
  /** Empty = no e-mail subscription. */
  alarmEmail?: string;
  asyncMaxRetryAttempts: number;
  asyncMaxEventAgeSeconds: number;
  failedImagesAlarmThreshold: number;
  /** 0 = no idle alarm. */
  idleAlarmHours: number;
}

/** Thrown for any invalid stack config value (the function's environment has FunctionEnvironmentError); the message names the key, the value and the rule. */
export class ConfigError extends Error {
  constructor(
    public readonly key: string,
    public readonly value: unknown,
    public readonly rule: string,
  ) {
    super(`Invalid config "${key}": ${JSON.stringify(value)} — ${rule}`);
    this.name = "ConfigError";
  }
}

type Kind = "string" | "integer" | "boolean" | "integerList" | "stringMap" | "list";

interface KeySpec {
  kind: Kind;
  /** undefined = optional with no value. */
  default: unknown;
  description: string;
}

/**
 * Every key, its kind and default. The single source for defaults in code; Pulumi.yaml mirrors
 * it for the CLI.
 */
export const CONFIG_KEYS: Record<keyof PipelineConfig, KeySpec> = {
  environment: { kind: "string", default: "dev", description: "dev | staging | prod" },
  sourceBucketName: {
    kind: "string",
    default: "",
    description: "Physical name of the upload bucket; empty = derived from project, stack, account and region",
  },
  thumbnailBucketName: { kind: "string", default: "", description: "Physical name of the thumbnail bucket; empty = derived" },
  thumbnailSizes: { kind: "integerList", default: [256], description: "Bounding-box sizes in pixels (1–5 sizes, 16–4096 each)" },
  renditions: {
    kind: "list",
    default: [],
    description:
      "Named renditions [{name, width, height?, fit: inside|cover, formats: [auto|jpeg|png|webp]}], replacing thumbnailSizes; empty = thumbnailSizes",
  },
  jpegQuality: { kind: "integer", default: 80, description: "JPEG quality of thumbnails, 1–100" },
  webpQuality: { kind: "integer", default: 80, description: "WebP quality of renditions with format webp, 1–100" },
  cdn: {
    kind: "boolean",
    default: false,
    description: "Serve thumbnails through CloudFront (Origin Access Control; the bucket stays private)",
  },
  keepReplacedThumbnails: {
    kind: "boolean",
    default: false,
    description: "Keep the thumbnails of an upload replaced by a newer upload of its key",
  },
  maxObjectBytes: { kind: "integer", default: 52428800, description: "Largest upload the function reads, bytes (1 KiB–1 GiB)" },
  maxImagePixels: { kind: "integer", default: 50000000, description: "Largest width×height the function decodes" },
  functionMemoryMb: {
    kind: "integer",
    default: 1280,
    description: "Lambda memory, MB (128–10240); 1280 MB fits a 50 MP PNG decode (README, Performance)",
  },
  functionTimeoutSeconds: { kind: "integer", default: 60, description: "Lambda timeout, seconds (1–900)" },
  logRetentionDays: { kind: "integer", default: 14, description: "Log retention, one of CloudWatch's values" },
  logLevel: { kind: "string", default: "INFO", description: "DEBUG | INFO | WARN | ERROR" },
  reservedConcurrency: { kind: "integer", default: 0, description: "Reserved concurrency (0 = none, a cost guard otherwise)" },
  sourceVersioning: { kind: "boolean", default: false, description: "Version the source bucket" },
  noncurrentVersionExpirationDays: { kind: "integer", default: 30, description: "Days before noncurrent versions expire (1–3650)" },
  sourceTransitionDays: {
    kind: "integer",
    default: 0,
    description: "Days before source images move to sourceTransitionStorageClass (0 = never)",
  },
  sourceTransitionStorageClass: { kind: "string", default: "INTELLIGENT_TIERING", description: "Storage class of the transition" },
  protectData: { kind: "boolean", default: false, description: "Protect and retain buckets and table; table deletion protection" },
  pointInTimeRecovery: { kind: "boolean", default: false, description: "DynamoDB point-in-time recovery" },
  extraTags: { kind: "stringMap", default: {}, description: "Tags added to every taggable resource" },
  alarmEmail: { kind: "string", default: "", description: "Address for alarm notifications; empty = none" },
  asyncMaxRetryAttempts: { kind: "integer", default: 2, description: "Retries of a failed asynchronous invocation (0–2)" },
  asyncMaxEventAgeSeconds: { kind: "integer", default: 21600, description: "Oldest event Lambda still retries, seconds (60–21600)" },
  failedImagesAlarmThreshold: { kind: "integer", default: 5, description: "Failed images per 5 minutes that raise the alarm (≥ 1)" },
  idleAlarmHours: {
    kind: "integer",
    default: 0,
    description: `Alarm when the function was invoked in each of this many hours and processed nothing (0 = off, 1–${MAX_IDLE_ALARM_HOURS})`,
  },
};

export type RawConfig = Record<string, unknown>;

function coerce(key: string, kind: Kind, value: unknown): unknown {
  switch (kind) {
    case "string":
      if (typeof value !== "string") throw new ConfigError(key, value, "must be a string");
      return value.trim();
    case "integer": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      if (typeof n !== "number" || !Number.isInteger(n)) throw new ConfigError(key, value, "must be an integer");
      return n;
    }
    case "boolean":
      if (value === true || value === "true") return true;
      if (value === false || value === "false") return false;
      throw new ConfigError(key, value, "must be true or false");
    case "integerList": {
      let list = value;
      if (typeof value === "string") {
        const text = value.trim();
        try {
          list = text.startsWith("[") ? JSON.parse(text) : text.split(",").map((s) => Number(s.trim()));
        } catch {
          throw new ConfigError(key, value, "must be a JSON list of integers, e.g. [128, 512]");
        }
      }
      if (!Array.isArray(list) || !list.every((n) => typeof n === "number" && Number.isInteger(n))) {
        throw new ConfigError(key, value, "must be a list of integers, e.g. [128, 512]");
      }
      return list;
    }
    case "list": {
      let list = value;
      if (typeof value === "string") {
        try {
          list = value.trim() === "" ? [] : JSON.parse(value);
        } catch {
          throw new ConfigError(key, value, `must be a JSON list, e.g. ${RENDITIONS_EXAMPLE}`);
        }
      }
      if (!Array.isArray(list)) throw new ConfigError(key, value, `must be a list, e.g. ${RENDITIONS_EXAMPLE}`);
      return list;
    }
    case "stringMap": {
      let map = value;
      if (typeof value === "string") {
        try {
          map = value.trim() === "" ? {} : JSON.parse(value);
        } catch {
          throw new ConfigError(key, value, 'must be a JSON object of strings, e.g. {"CostCenter": "media"}');
        }
      }
      if (typeof map !== "object" || map === null || Array.isArray(map) || !Object.values(map).every((v) => typeof v === "string")) {
        throw new ConfigError(key, value, 'must be a map of string values, e.g. {"CostCenter": "media"}');
      }
      return { ...(map as Record<string, string>) };
    }
  }
}

function inRange(key: string, value: number, min: number, max: number, unit = ""): void {
  if (value < min || value > max) throw new ConfigError(key, value, `must be between ${min} and ${max}${unit}`);
}

function oneOf<T extends string | number>(key: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new ConfigError(key, value, `must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

function closestKey(key: string): string | undefined {
  const lower = key.toLowerCase();
  return Object.keys(CONFIG_KEYS).find(
    (k) => k.toLowerCase() === lower || k.toLowerCase().includes(lower) || lower.includes(k.toLowerCase()),
  );
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Checks and types the raw config (values missing or undefined take the defaults). Keys not in
 * CONFIG_KEYS are refused: a misspelt key would otherwise be ignored without a word.
 */
export function validateConfig(raw: RawConfig): PipelineConfig {
  for (const key of Object.keys(raw)) {
    if (!(key in CONFIG_KEYS)) {
      const guess = closestKey(key);
      throw new ConfigError(key, raw[key], `is not a config key of this project${guess ? ` (did you mean "${guess}"?)` : ""}`);
    }
  }
  const v = {} as Record<string, unknown>;
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    const given = raw[key];
    v[key] = coerce(key, spec.kind, given === undefined || given === null ? spec.default : given);
  }
  const c = v as unknown as PipelineConfig & { sourceBucketName: string; thumbnailBucketName: string; alarmEmail: string };

  oneOf("environment", c.environment, ENVIRONMENTS);
  for (const key of ["sourceBucketName", "thumbnailBucketName"] as const) {
    const name = c[key];
    const problem = name === "" ? undefined : bucketNameProblem(name);
    if (problem) throw new ConfigError(key, name, problem);
  }
  if (c.sourceBucketName !== "" && c.sourceBucketName === c.thumbnailBucketName) {
    // The function writes into the thumbnail bucket: the same bucket would trigger it again.
    throw new ConfigError(
      "thumbnailBucketName",
      c.thumbnailBucketName,
      "must differ from sourceBucketName (writing thumbnails into the source bucket would re-trigger the function)",
    );
  }

  if (c.thumbnailSizes.length < 1 || c.thumbnailSizes.length > 5) {
    throw new ConfigError("thumbnailSizes", c.thumbnailSizes, "must hold 1 to 5 sizes");
  }
  for (const size of c.thumbnailSizes) {
    if (size < 16 || size > 4096)
      throw new ConfigError("thumbnailSizes", c.thumbnailSizes, "every size must be between 16 and 4096 pixels");
  }
  if (new Set(c.thumbnailSizes).size !== c.thumbnailSizes.length) {
    throw new ConfigError("thumbnailSizes", c.thumbnailSizes, "sizes must be unique");
  }
  c.thumbnailSizes = [...c.thumbnailSizes].sort((a, b) => a - b);

  const renditionList = c.renditions as unknown[];
  if (renditionList.length === 0) {
    c.renditions = undefined;
  } else {
    // The CLI hands the program thumbnailSizes' default from Pulumi.yaml whether or not it was
    // set, so only a value other than the default counts as set.
    const defaultSizes = CONFIG_KEYS.thumbnailSizes.default as number[];
    if (JSON.stringify(c.thumbnailSizes) !== JSON.stringify(defaultSizes)) {
      throw new ConfigError(
        "renditions",
        renditionList,
        `cannot be set together with thumbnailSizes (${JSON.stringify(c.thumbnailSizes)}); renditions replace thumbnailSizes, so remove one of the two keys`,
      );
    }
    const { renditions, problems } = parseRenditions(renditionList);
    if (problems.length > 0) throw new ConfigError("renditions", renditionList, problems.join("; "));
    c.renditions = renditions;
  }

  inRange("jpegQuality", c.jpegQuality, 1, 100);
  inRange("webpQuality", c.webpQuality, 1, 100);
  inRange("maxObjectBytes", c.maxObjectBytes, 1024, 1024 ** 3, " bytes");
  inRange("functionMemoryMb", c.functionMemoryMb, 128, 10240, " MB (Lambda's limits)");
  inRange("functionTimeoutSeconds", c.functionTimeoutSeconds, 1, 900, " seconds (Lambda's limits)");
  inRange("maxImagePixels", c.maxImagePixels, 1, 500_000_000);
  // PNG, TIFF, GIF, BMP and WebP decode at full size, and the decode holds several RGBA-sized
  // buffers at once (inflated rows or a WASM heap, the bitmap, jimp's copy of it): peak memory
  // grows by up to about 18 MB a megapixel (DECODE_BYTES_PER_PIXEL, bench/decodeMemory.ts). Past the
  // function's memory it would crash (retried, then dead-lettered) instead of refusing the image
  // with a clear TooManyPixels record, so the worst case must fit.
  const decodeBytes = decodeMemoryBytes(c.maxImagePixels);
  const memoryBytes = c.functionMemoryMb * 1024 * 1024;
  if (decodeBytes > memoryBytes) {
    throw new ConfigError(
      "maxImagePixels",
      c.maxImagePixels,
      `a full-size decode of an image that large needs about ${Math.round(decodeBytes / 2 ** 20)} MiB (${DECODE_BYTES_PER_PIXEL} bytes a pixel plus ${RUNTIME_BASE_BYTES / 2 ** 20} MiB for the runtime), which must fit in functionMemoryMb (${c.functionMemoryMb} MB); raise functionMemoryMb or lower maxImagePixels`,
    );
  }
  // The function holds the whole upload in memory while it decodes it.
  const quarterMemory = (c.functionMemoryMb * 1024 * 1024) / 4;
  if (c.maxObjectBytes > quarterMemory) {
    throw new ConfigError(
      "maxObjectBytes",
      c.maxObjectBytes,
      `an upload of that size must fit in a quarter of functionMemoryMb (${c.functionMemoryMb} MB = ${Math.floor(quarterMemory)} bytes); raise functionMemoryMb or lower maxObjectBytes`,
    );
  }
  oneOf("logRetentionDays", c.logRetentionDays, LOG_RETENTION_DAYS);
  oneOf("logLevel", c.logLevel, LOG_LEVELS);
  inRange("reservedConcurrency", c.reservedConcurrency, 0, 10000, " (0 = no reservation)");
  inRange("noncurrentVersionExpirationDays", c.noncurrentVersionExpirationDays, 1, 3650, " days");
  inRange("sourceTransitionDays", c.sourceTransitionDays, 0, 3650, " days (0 = no transition)");
  oneOf("sourceTransitionStorageClass", c.sourceTransitionStorageClass, TRANSITION_STORAGE_CLASSES);
  if (c.sourceTransitionDays > 0 && c.sourceTransitionDays < 30 && c.sourceTransitionStorageClass === "STANDARD_IA") {
    throw new ConfigError(
      "sourceTransitionDays",
      c.sourceTransitionDays,
      "S3 requires at least 30 days before a transition to STANDARD_IA",
    );
  }

  for (const [tagKey, tagValue] of Object.entries(c.extraTags)) {
    const where = `extraTags.${tagKey}`;
    if (tagKey.length < 1 || tagKey.length > 128) throw new ConfigError(where, tagKey, "tag keys must be 1–128 characters");
    if (tagKey.toLowerCase().startsWith("aws:"))
      throw new ConfigError(where, tagKey, 'tag keys may not start with "aws:" (reserved by AWS)');
    if ((RESERVED_TAG_KEYS as readonly string[]).includes(tagKey)) {
      throw new ConfigError(where, tagKey, `${RESERVED_TAG_KEYS.join(", ")} are set by the stack and cannot be overridden`);
    }
    if (!TAG_CHARS.test(tagKey)) throw new ConfigError(where, tagKey, "tag keys may hold letters, digits, spaces and _ . : / = + - @ only");
    if (tagValue.length > 256) throw new ConfigError(where, tagValue, "tag values must be at most 256 characters");
    if (!TAG_CHARS.test(tagValue))
      throw new ConfigError(where, tagValue, "tag values may hold letters, digits, spaces and _ . : / = + - @ only");
  }
  if (Object.keys(c.extraTags).length > 40) {
    throw new ConfigError("extraTags", c.extraTags, "at most 40 extra tags (AWS allows 50 per resource; the stack sets 3)");
  }

  if (c.alarmEmail !== "" && !EMAIL.test(c.alarmEmail)) {
    throw new ConfigError("alarmEmail", c.alarmEmail, "must be an e-mail address (or empty for no subscription)");
  }
  inRange("asyncMaxRetryAttempts", c.asyncMaxRetryAttempts, 0, 2, " (Lambda's limits)");
  inRange("asyncMaxEventAgeSeconds", c.asyncMaxEventAgeSeconds, 60, 21600, " seconds (Lambda's limits)");
  if (c.failedImagesAlarmThreshold < 1) {
    throw new ConfigError("failedImagesAlarmThreshold", c.failedImagesAlarmThreshold, "must be at least 1");
  }
  inRange(
    "idleAlarmHours",
    c.idleAlarmHours,
    0,
    MAX_IDLE_ALARM_HOURS,
    " hours (0 = off; CloudWatch evaluates at most 7 days of hourly periods)",
  );

  return {
    ...c,
    sourceBucketName: c.sourceBucketName || undefined,
    thumbnailBucketName: c.thumbnailBucketName || undefined,
    alarmEmail: c.alarmEmail || undefined,
  };
}

/** Project config keys as the program sees them, keyed by the part after "<project>:". */
export function rawProjectConfig(all: Record<string, string>, project: string): RawConfig {
  const raw: RawConfig = {};
  const prefix = `${project}:`;
  for (const [fullKey, value] of Object.entries(all)) {
    if (fullKey.startsWith(prefix)) raw[fullKey.slice(prefix.length)] = value;
  }
  return raw;
}

/** Reads and validates this stack's config; the program's only entry point into config. */
export function loadConfig(): PipelineConfig {
  return validateConfig(rawProjectConfig(pulumi.runtime.allConfig(), pulumi.getProject()));
}
