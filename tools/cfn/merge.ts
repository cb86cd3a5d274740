/**
 * Optional parameters whose empty value means "derive it" (SourceBucketName,
 * ThumbnailBucketName: empty derives a name from project, stack, account and region). The
 * program runs once with the parameters given (as markers) and once without; wherever the two
 * templates differ, the value becomes `Fn::If [Has<Parameter>, given, derived]`. A difference
 * that no single parameter explains is refused, naming the path.
 */
import { SynthError, joinPath } from "./errors";
import { PlainValue, isRecord } from "./properties";
import { referencedLogicalIds, CfnTemplate } from "./template";

export function conditionName(parameter: string): string {
  return `Has${parameter}`;
}

export function mergeOptionalParameters(given: CfnTemplate, derived: CfnTemplate, optional: string[]): CfnTemplate {
  const sameKeys = (a: object, b: object) => JSON.stringify(Object.keys(a).sort()) === JSON.stringify(Object.keys(b).sort());
  if (!sameKeys(given.Resources, derived.Resources)) {
    throw new SynthError(
      "template",
      "Resources",
      `the resources differ when ${optional.join(", ")} are left empty; CloudFormation conditions cannot add or remove them here`,
    );
  }
  const used = new Set<string>();
  const merge = (a: PlainValue, b: PlainValue, subject: string, path: string): PlainValue => {
    if (JSON.stringify(a) === JSON.stringify(b)) return a;
    const intrinsic = (v: PlainValue) => isRecord(v) && Object.keys(v).some((k) => k === "Ref" || k.startsWith("Fn::"));
    if (isRecord(a) && isRecord(b) && !intrinsic(a) && !intrinsic(b) && sameKeys(a, b)) {
      const out: Record<string, PlainValue> = {};
      for (const k of Object.keys(a)) out[k] = merge(a[k], b[k], subject, joinPath(path, k));
      return out;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.map((v, i) => merge(v, b[i], subject, joinPath(path, i)));
    const parameters = [...referencedLogicalIds(a)].filter((id) => optional.includes(id));
    if (parameters.length !== 1) {
      throw new SynthError(
        subject,
        path,
        `differs when ${optional.join(", ")} are left empty, and ${parameters.length === 0 ? "no" : "more than one"} such parameter explains it`,
      );
    }
    used.add(parameters[0]);
    return { "Fn::If": [conditionName(parameters[0]), a, b] };
  };

  const resources: CfnTemplate["Resources"] = {};
  for (const [id, a] of Object.entries(given.Resources)) {
    const b = derived.Resources[id];
    const { Properties: pa, ...restA } = a;
    const { Properties: pb, ...restB } = b;
    if (JSON.stringify(restA) !== JSON.stringify(restB)) {
      throw new SynthError(id, "", `its type, dependencies or policies differ when ${optional.join(", ")} are left empty`);
    }
    resources[id] = { ...a, Properties: merge(pa ?? {}, pb ?? {}, id, "") as Record<string, PlainValue> };
  }
  const outputs: CfnTemplate["Outputs"] = {};
  for (const [id, a] of Object.entries(given.Outputs)) {
    const b = derived.Outputs[id];
    if (!b) throw new SynthError(`output ${id}`, "", `is missing when ${optional.join(", ")} are left empty`);
    outputs[id] = { ...a, Value: merge(a.Value, b.Value, `output ${id}`, "Value") };
  }
  const conditions: Record<string, PlainValue> = { ...(given.Conditions ?? {}) };
  for (const parameter of [...used].sort())
    conditions[conditionName(parameter)] = { "Fn::Not": [{ "Fn::Equals": [{ Ref: parameter }, ""] }] };
  // Key order is the order in the YAML: conditions read best right after the parameters.
  const { AWSTemplateFormatVersion, Description, Parameters } = given;
  return {
    AWSTemplateFormatVersion,
    Description,
    Parameters,
    ...(Object.keys(conditions).length > 0 ? { Conditions: conditions } : {}),
    Resources: resources,
    Outputs: outputs,
  };
}

/** Paths where two templates differ (for the determinism check), at most `limit`. */
export function differences(a: PlainValue, b: PlainValue, path = "", limit = 5, into: string[] = []): string[] {
  if (into.length >= limit || JSON.stringify(a) === JSON.stringify(b)) return into;
  if (isRecord(a) && isRecord(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) differences(a[k], b[k], joinPath(path, k), limit, into);
  } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => differences(v, b[i], joinPath(path, i), limit, into));
  } else {
    into.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
  return into;
}
