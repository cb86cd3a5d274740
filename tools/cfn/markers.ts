/**
 * References between resources, written as marker strings. Under Pulumi mocks every id,
 * attribute, account/region lookup and template parameter is a unique marker such as
 * `ck3q9007z`; the program builds its inputs from them (whole, or inside ARNs and
 * policies), and synth rewrites each string holding markers into Ref, Fn::GetAtt or Fn::Sub.
 * Markers are lower-case letters and digits so that they pass the program's own validation
 * of names (S3 bucket names included) and survive string interpolation unchanged.
 */
import { SynthError, joinPath } from "./errors";
import type { PlainValue } from "./properties";
import { isRecord } from "./properties";

/** A Pulumi resource as the mocks see it: its type token and name. */
export interface ResourceKey {
  type: string;
  name: string;
}

export type PseudoParameter = "AWS::AccountId" | "AWS::Region" | "AWS::Partition" | "AWS::URLSuffix" | "AWS::StackName";

export type MarkerTarget =
  | { kind: "ref"; resource: ResourceKey }
  | { kind: "getAtt"; resource: ResourceKey; attribute: string }
  | { kind: "pseudo"; name: PseudoParameter }
  | { kind: "parameter"; name: string }
  /** A value the program read that CloudFormation cannot provide (e.g. the caller's ARN). */
  | { kind: "unsupported"; what: string };

/** What a marker becomes in the template, decided by the template builder. */
export type Resolved =
  | { ref: string }
  | { getAtt: [logicalId: string, attribute: string] }
  /** The property is left unset (`Ref: AWS::NoValue`); only valid as a whole value. */
  | { noValue: true };

export type Resolver = (target: MarkerTarget, subject: string, path: string) => Resolved;

const PREFIX = "c";
const SUFFIX = "z";
/** Padding inside a marker; markers are `c<salt><3 digits>x…xz`, at least 9 characters. */
const FILL = "x";
export const MIN_MARKER_LENGTH = PREFIX.length + 4 + 3 + SUFFIX.length;

/**
 * Marker lengths for pseudo parameters. Names built from the account and region (bucket names
 * are shortened when too long) depend on their lengths: an account id is always 12 characters,
 * a region 9 (us-east-1) to 14 (ap-southeast-1), so synth runs with both ends of that range.
 */
export type MarkerLengths = Partial<Record<PseudoParameter, number>>;

export class MarkerTable {
  private readonly byMarker = new Map<string, MarkerTarget>();
  private readonly byTarget = new Map<string, string>();
  private readonly pattern: RegExp;

  /** `salt`: 4 lower-case letters/digits, so that two runs can use different markers. */
  constructor(
    readonly salt = "k3q9",
    private readonly lengths: MarkerLengths = {},
  ) {
    if (!/^[a-z0-9]{4}$/.test(salt)) throw new Error(`marker salt "${salt}" must be 4 lower-case letters or digits`);
    for (const [name, length] of Object.entries(lengths)) {
      if (length < MIN_MARKER_LENGTH) throw new Error(`marker length ${length} for ${name} is below the minimum ${MIN_MARKER_LENGTH}`);
    }
    this.pattern = new RegExp(`${PREFIX}${salt}\\d{3}${FILL}*${SUFFIX}`, "g");
  }

  /** The marker for a target; the same target always gets the same marker. */
  markerFor(target: MarkerTarget): string {
    const key = JSON.stringify(target);
    let marker = this.byTarget.get(key);
    if (!marker) {
      if (this.byMarker.size > 999) throw new Error("more than 1000 distinct references: widen the marker index");
      const core = `${PREFIX}${this.salt}${String(this.byMarker.size).padStart(3, "0")}`;
      const length = target.kind === "pseudo" ? this.lengths[target.name] : undefined;
      marker = core + FILL.repeat(Math.max(0, (length ?? 0) - core.length - SUFFIX.length)) + SUFFIX;
      this.byMarker.set(marker, target);
      this.byTarget.set(key, marker);
    }
    return marker;
  }

  ref(resource: ResourceKey): string {
    return this.markerFor({ kind: "ref", resource });
  }
  getAtt(resource: ResourceKey, attribute: string): string {
    return this.markerFor({ kind: "getAtt", resource, attribute });
  }
  pseudo(name: PseudoParameter): string {
    return this.markerFor({ kind: "pseudo", name });
  }
  parameter(name: string): string {
    return this.markerFor({ kind: "parameter", name });
  }
  unsupported(what: string): string {
    return this.markerFor({ kind: "unsupported", what });
  }

  targetOf(marker: string): MarkerTarget | undefined {
    return this.byMarker.get(marker);
  }

  /** True when the text holds at least one marker. */
  contains(text: string): boolean {
    this.pattern.lastIndex = 0;
    return this.pattern.test(text);
  }

  /**
   * Rewrites every string in a value: a string that is exactly one marker becomes Ref or
   * Fn::GetAtt; a string with markers inside becomes Fn::Sub; other strings stay as they are.
   * Keys are never rewritten, and a marker inside a key is refused (CloudFormation cannot
   * compute keys).
   */
  rewrite(value: PlainValue, resolve: Resolver, subject: string, path = ""): PlainValue {
    if (typeof value === "string") return this.rewriteString(value, resolve, subject, path);
    if (Array.isArray(value)) return value.map((v, i) => this.rewrite(v, resolve, subject, joinPath(path, i)));
    if (isRecord(value)) {
      const out: Record<string, PlainValue> = {};
      for (const [k, v] of Object.entries(value)) {
        if (this.contains(k)) {
          throw new SynthError(
            subject,
            joinPath(path, k),
            "a key is computed from another resource's value or a lookup; CloudFormation cannot compute keys",
          );
        }
        out[k] = this.rewrite(v, resolve, subject, joinPath(path, k));
      }
      return out;
    }
    return value;
  }

  private rewriteString(text: string, resolve: Resolver, subject: string, path: string): PlainValue {
    const matches = [...text.matchAll(this.pattern)];
    if (matches.length === 0) return text;
    const resolveMarker = (marker: string): Resolved => {
      const target = this.byMarker.get(marker);
      if (!target) throw new SynthError(subject, path, `unknown reference marker ${marker}`);
      return resolve(target, subject, path);
    };
    if (matches.length === 1 && matches[0][0] === text) {
      const resolved = resolveMarker(text);
      if ("ref" in resolved) return { Ref: resolved.ref };
      if ("getAtt" in resolved) return { "Fn::GetAtt": [...resolved.getAtt] };
      return { Ref: "AWS::NoValue" };
    }
    let template = "";
    let last = 0;
    for (const match of matches) {
      template += escapeSub(text.slice(last, match.index));
      const resolved = resolveMarker(match[0]);
      if ("noValue" in resolved) {
        throw new SynthError(subject, path, `"${text}" embeds a value that has no CloudFormation equivalent inside a larger string`);
      }
      template += "ref" in resolved ? `\${${resolved.ref}}` : `\${${resolved.getAtt[0]}.${resolved.getAtt[1]}}`;
      last = match.index + match[0].length;
    }
    template += escapeSub(text.slice(last));
    return { "Fn::Sub": template };
  }
}

/** Fn::Sub reads `${…}` as a variable; a literal one is written `${!…}`. */
function escapeSub(literal: string): string {
  return literal.replace(/\$\{/g, "${!");
}
