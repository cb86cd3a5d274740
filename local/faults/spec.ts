/**
 * The fault plan of `npm start -- --faults <spec>` and `npm run soak`: which faults are injected
 * and how often. One parser, so both commands accept and refuse exactly the same specs.
 *
 *   s3-get=0.05,s3-put=0.05,dynamodb=0.05,throttle=0.05,crash=0.01,duplicate=0.1,reorder
 */
import { UsageError } from "../../tools/cli";

/** What each kind does, for --help and the docs. */
export const FAULT_KINDS = {
  "s3-get": "S3 reads (GET, HEAD, LIST) answered 500 InternalError",
  "s3-put": "S3 writes (PUT, POST, DELETE) answered 500 InternalError",
  dynamodb: "DynamoDB requests answered 500 InternalServerError",
  throttle: "S3 requests answered 503 SlowDown, DynamoDB requests 400 ThrottlingException or ProvisionedThroughputExceededException",
  crash: "function containers killed mid-invocation (a runtime crash: the invocation fails and is retried)",
  duplicate: "events delivered twice",
  reorder: "events delivered in shuffled order (no share: on or off)",
} as const;

export type FaultKind = keyof typeof FAULT_KINDS;
/** The kinds that take a share of requests, containers or events. */
export type SharedFaultKind = Exclude<FaultKind, "reorder">;

export const FAULT_KIND_NAMES = Object.keys(FAULT_KINDS) as FaultKind[];

export interface FaultSpec {
  /** Share in [0, 1] of the requests, invocations or events each kind hits; absent kinds are 0. */
  shares: Record<SharedFaultKind, number>;
  reorder: boolean;
}

export const NO_FAULTS: FaultSpec = {
  shares: { "s3-get": 0, "s3-put": 0, dynamodb: 0, throttle: 0, crash: 0, duplicate: 0 },
  reorder: false,
};

export function hasFaults(spec: FaultSpec): boolean {
  return spec.reorder || Object.values(spec.shares).some((share) => share > 0);
}

/** Parses a spec; every mistake is a UsageError naming the entry, the value and the rule. */
export function parseFaultSpec(raw: string, option = "--faults"): FaultSpec {
  const spec: FaultSpec = { shares: { ...NO_FAULTS.shares }, reorder: false };
  if (raw.trim() === "") throw new UsageError(`${option}: a value is required (e.g. s3-get=0.05,crash=0.01,reorder)`);
  const seen = new Set<string>();
  for (const entry of raw.split(",")) {
    const [name, ...rest] = entry.trim().split("=");
    const value = rest.length ? rest.join("=") : undefined;
    if (!(name in FAULT_KINDS)) {
      throw new UsageError(`${option} ${JSON.stringify(entry)}: unknown fault kind "${name}"; known kinds: ${FAULT_KIND_NAMES.join(", ")}`);
    }
    if (seen.has(name)) throw new UsageError(`${option} ${JSON.stringify(raw)}: "${name}" is given twice`);
    seen.add(name);
    if (name === "reorder") {
      if (value !== undefined) throw new UsageError(`${option} ${JSON.stringify(entry)}: reorder takes no value (write just "reorder")`);
      spec.reorder = true;
      continue;
    }
    const share = value === undefined ? NaN : Number(value);
    if (value === undefined || value.trim() === "" || !Number.isFinite(share) || share < 0 || share > 1) {
      throw new UsageError(
        `${option} ${JSON.stringify(entry)}: ${name} must be a share from 0 to 1 (e.g. ${name}=0.05), got ${value === undefined ? "no value" : JSON.stringify(value)}`,
      );
    }
    spec.shares[name as SharedFaultKind] = share;
  }
  return spec;
}

/** The spec written back in the form parseFaultSpec reads (for reports). */
export function formatFaultSpec(spec: FaultSpec): string {
  const entries = (Object.entries(spec.shares) as [SharedFaultKind, number][])
    .filter(([, share]) => share > 0)
    .map(([k, s]) => `${k}=${s}`);
  if (spec.reorder) entries.push("reorder");
  return entries.join(",") || "none";
}
