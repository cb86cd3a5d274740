/**
 * Builds a CloudFormation template from what the program registered under mocks: each
 * aws-native resource becomes its CloudFormation type with schema-mapped properties, markers
 * become Ref / Fn::GetAtt / Fn::Sub, explicit dependsOn becomes DependsOn, retainOnDelete and
 * protect become Retain policies, and the stack outputs become exported Outputs.
 */
import { SynthError, joinPath } from "./errors";
import { linterLagMetadata } from "./linterLag";
import { LogicalIds, toLogicalId } from "./logicalIds";
import { MarkerTable, MarkerTarget, Resolved, ResourceKey } from "./markers";
import { PlainValue, isRecord, toCloudFormationProperties } from "./properties";
import { ResourceSchemas, Resource } from "./schemas";

/** A resource as tools/harness/programUnderMocks.ts reports it. */
export interface RegisteredResource {
  urn: string;
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  parent?: string;
  dependsOn?: string[];
  retainOnDelete?: boolean;
  protect?: boolean;
  custom?: boolean;
}

export interface CfnParameter {
  Type: "String" | "Number";
  Description: string;
  Default?: string;
  AllowedValues?: string[];
  AllowedPattern?: string;
  ConstraintDescription?: string;
  MinLength?: number;
  MaxLength?: number;
}

/** A registered resource with no CloudFormation type, kept out of the template. */
export interface LeftOutResource {
  /** Why it is left out and what stands in for it (becomes a comment in the template). */
  reason: string;
  /** What each of its attributes (read through markers) becomes in the template. */
  attributes: Record<string, Resolved>;
  /** Parameters that stand in for it. */
  parameters?: Record<string, CfnParameter>;
}

export interface TemplateSpec {
  description: string;
  parameters: Record<string, CfnParameter>;
  /**
   * Whole string values that mean a parameter (e.g. the environment name in tags and
   * environment variables) and are therefore written as its Ref.
   */
  literalParameters?: Array<{ value: string; parameter: string }>;
  /** Decides what becomes of a registered resource that is not aws-native; undefined = refuse. */
  leaveOut?: (resource: RegisteredResource, logicalId: string) => LeftOutResource | undefined;
  /** Pulumi stack outputs (marker strings inside). */
  outputs: Record<string, unknown>;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, PlainValue>;
  DependsOn?: string[];
  DeletionPolicy?: "Retain" | "Delete";
  UpdateReplacePolicy?: "Retain" | "Delete";
  Metadata?: Record<string, PlainValue>;
}

export interface CfnOutput {
  Description: string;
  Value: PlainValue;
  Export: { Name: PlainValue };
}

export interface CfnTemplate {
  AWSTemplateFormatVersion: "2010-09-09";
  Description: string;
  Parameters: Record<string, CfnParameter>;
  Conditions?: Record<string, PlainValue>;
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, CfnOutput>;
}

export interface BuiltTemplate {
  template: CfnTemplate;
  /** Logical ID of every registered resource that became a template resource, by URN. */
  logicalIdByUrn: Map<string, string>;
  /** Left-out resources: logical ID they would have had → reason. */
  leftOut: Map<string, { resource: RegisteredResource; reason: string }>;
}

const PROVIDER_TYPE_PREFIX = "pulumi:providers:";
const AWS_NATIVE_PREFIX = "aws-native:";

export function keyOf(resource: { type: string; name: string }): string {
  return `${resource.type}::${resource.name}`;
}

export function buildTemplate(
  schemas: ResourceSchemas,
  markers: MarkerTable,
  resources: RegisteredResource[],
  spec: TemplateSpec,
): BuiltTemplate {
  const ids = new LogicalIds();
  const parameters: Record<string, CfnParameter> = {};
  for (const [name, parameter] of Object.entries(spec.parameters)) parameters[ids.claim(name, `parameter ${name}`)] = parameter;

  const byKey = new Map<string, RegisteredResource>();
  const byUrn = new Map<string, RegisteredResource>();
  for (const resource of resources) {
    if (byKey.has(keyOf(resource)) && resource.custom) {
      throw new SynthError(
        resource.name,
        "",
        `two ${resource.type} resources are named "${resource.name}"; markers cannot tell them apart`,
      );
    }
    if (resource.custom) byKey.set(keyOf(resource), resource);
    byUrn.set(resource.urn, resource);
  }

  // Decide each resource's fate before converting any, since references can point forward.
  const cfnResources = new Map<string, { resource: RegisteredResource; schema: Resource; logicalId: string }>();
  const leftOut = new Map<string, { resource: RegisteredResource; logicalId: string; info: LeftOutResource }>();
  for (const resource of resources) {
    if (!resource.custom || resource.type.startsWith(PROVIDER_TYPE_PREFIX)) continue;
    const logicalId = toLogicalId(resource.name);
    if (resource.type.startsWith(AWS_NATIVE_PREFIX)) {
      const schema = schemas.resourceForToken(resource.type);
      if (!schema)
        throw new SynthError(resource.name, "", `no CloudFormation resource type matches ${resource.type} in AWS's resource schemas`);
      cfnResources.set(keyOf(resource), { resource, schema, logicalId: ids.claim(logicalId, resource.urn) });
      continue;
    }
    const info = spec.leaveOut?.(resource, logicalId);
    if (!info) {
      throw new SynthError(
        resource.name,
        "",
        `${resource.type} is not a CloudFormation resource type (only aws-native resources can be exported)`,
      );
    }
    for (const [name, parameter] of Object.entries(info.parameters ?? {})) parameters[ids.claim(name, `parameter ${name}`)] = parameter;
    leftOut.set(keyOf(resource), { resource, logicalId, info });
  }

  const resolve = (target: MarkerTarget, subject: string, path: string): Resolved => {
    switch (target.kind) {
      case "pseudo":
        return { ref: target.name };
      case "parameter":
        if (!(target.name in parameters))
          throw new SynthError(subject, path, `refers to template parameter ${target.name}, which the template does not declare`);
        return { ref: target.name };
      case "ref":
      case "getAtt":
        return resolveResource(target, subject, path);
      case "unsupported":
        throw new SynthError(subject, path, `uses ${target.what}, which has no CloudFormation equivalent`);
    }
  };
  const resolveResource = (target: Extract<MarkerTarget, { resource: ResourceKey }>, subject: string, path: string): Resolved => {
    const key = keyOf(target.resource);
    const entry = cfnResources.get(key);
    if (entry) return target.kind === "ref" ? { ref: entry.logicalId } : { getAtt: [entry.logicalId, target.attribute] };
    const out = leftOut.get(key);
    if (out) {
      const attribute = target.kind === "ref" ? "id" : target.attribute;
      const resolved = out.info.attributes[attribute];
      if (resolved) return resolved;
      throw new SynthError(
        subject,
        path,
        `uses ${attribute} of ${target.resource.name} (${target.resource.type}), which is not in the template and has no stand-in for that value`,
      );
    }
    throw new SynthError(
      subject,
      path,
      `refers to ${target.resource.name} (${target.resource.type}), which the program did not register as a resource`,
    );
  };
  const literals = new Map((spec.literalParameters ?? []).map((l) => [l.value, l.parameter]));
  const finish = (value: PlainValue, subject: string, path = ""): PlainValue =>
    replaceLiterals(markers.rewrite(value, resolve, subject, path), literals);

  const template: CfnTemplate = {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: spec.description,
    Parameters: parameters,
    Resources: {},
    Outputs: {},
  };
  const logicalIdByUrn = new Map<string, string>();
  for (const { resource, schema, logicalId } of cfnResources.values()) {
    logicalIdByUrn.set(resource.urn, logicalId);
    const properties = finish(toCloudFormationProperties(schemas, schema, resource.name, resource.inputs), resource.name) as Record<
      string,
      PlainValue
    >;
    const out: CfnResource = { Type: schema.cloudFormationType };
    if (Object.keys(properties).length > 0) out.Properties = properties;
    const implied = referencedLogicalIds(properties);
    const dependsOn = explicitDependencies(resource, byUrn, cfnResources, leftOut)
      .filter((id) => id !== logicalId && !implied.has(id))
      .sort();
    if (dependsOn.length > 0) out.DependsOn = [...new Set(dependsOn)];
    if (resource.retainOnDelete || resource.protect) {
      out.DeletionPolicy = "Retain";
      out.UpdateReplacePolicy = "Retain";
    } else if (schema.isStateful) {
      // What `pulumi destroy` does to it, said explicitly for resources that hold data.
      out.DeletionPolicy = "Delete";
      out.UpdateReplacePolicy = "Delete";
    }
    out.Metadata = { PulumiUrn: resource.urn };
    const lag = linterLagMetadata(schema.cloudFormationType, properties);
    if (lag) out.Metadata["cfn-lint"] = lag as PlainValue;
    template.Resources[logicalId] = out;
  }

  // Outputs have their own namespace: an output may share a parameter's name (SourceBucketName).
  const outputIds = new LogicalIds();
  for (const [name, value] of Object.entries(spec.outputs)) {
    const id = outputIds.claim(toLogicalId(name), `output ${name}`);
    template.Outputs[id] = {
      Description: `Pulumi stack output ${name}`,
      Value: outputValue(finish(plainOutput(value, name), `output ${name}`), name),
      Export: { Name: { "Fn::Sub": `\${AWS::StackName}-${id}` } },
    };
  }

  const leftOutByLogicalId = new Map<string, { resource: RegisteredResource; reason: string }>();
  for (const { resource, logicalId, info } of leftOut.values()) leftOutByLogicalId.set(logicalId, { resource, reason: info.reason });
  return { template, logicalIdByUrn, leftOut: leftOutByLogicalId };
}

/** Explicit dependsOn, with components expanded to the template resources inside them. */
function explicitDependencies(
  resource: RegisteredResource,
  byUrn: Map<string, RegisteredResource>,
  cfnResources: Map<string, { logicalId: string }>,
  leftOut: Map<string, unknown>,
): string[] {
  const ids: string[] = [];
  const visit = (urn: string, seen: Set<string>): void => {
    if (seen.has(urn)) return;
    seen.add(urn);
    const target = byUrn.get(urn);
    if (!target) throw new SynthError(resource.name, "dependsOn", `depends on ${urn}, which the program did not register`);
    if (target.custom) {
      const entry = cfnResources.get(keyOf(target));
      if (entry) ids.push(entry.logicalId);
      else if (!leftOut.has(keyOf(target)) && !target.type.startsWith(PROVIDER_TYPE_PREFIX)) {
        throw new SynthError(resource.name, "dependsOn", `depends on ${target.name}, which is not in the template`);
      }
      return;
    }
    for (const child of byUrn.values()) if (child.parent === urn) visit(child.urn, seen);
  };
  for (const urn of resource.dependsOn ?? []) visit(urn, new Set());
  return ids;
}

/** Logical IDs a value already depends on through Ref, Fn::GetAtt or Fn::Sub. */
export function referencedLogicalIds(value: PlainValue, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedLogicalIds(v, into);
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === "Ref" && typeof v === "string") into.add(v);
      else if (k === "Fn::GetAtt" && Array.isArray(v) && typeof v[0] === "string") into.add(v[0]);
      else if (k === "Fn::Sub") {
        const text = typeof v === "string" ? v : Array.isArray(v) && typeof v[0] === "string" ? v[0] : "";
        for (const m of text.matchAll(/\$\{([A-Za-z0-9:]+)(?:\.[A-Za-z0-9.]+)?\}/g)) into.add(m[1]);
        if (Array.isArray(v)) referencedLogicalIds(v.slice(1), into);
      } else referencedLogicalIds(v, into);
    }
  }
  return into;
}

function replaceLiterals(value: PlainValue, literals: Map<string, string>): PlainValue {
  if (literals.size === 0) return value;
  if (typeof value === "string") {
    const parameter = literals.get(value);
    return parameter ? { Ref: parameter } : value;
  }
  if (Array.isArray(value)) return value.map((v) => replaceLiterals(v, literals));
  if (isRecord(value)) {
    // Inside intrinsic functions strings are names (logical IDs, attributes), not values.
    if (Object.keys(value).some((k) => k === "Ref" || k.startsWith("Fn::"))) return value;
    const out: Record<string, PlainValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = replaceLiterals(v, literals);
    return out;
  }
  return value;
}

function plainOutput(value: unknown, name: string): PlainValue {
  if (value === undefined) throw new SynthError(`output ${name}`, "", "has no value under mocks");
  return JSON.parse(JSON.stringify(value)) as PlainValue;
}

/** CloudFormation outputs are strings: numbers and booleans are written as strings, lists joined. */
function outputValue(value: PlainValue, name: string): PlainValue {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "string" || isIntrinsic(v))) return { "Fn::Join": [",", value] };
  } else if (isIntrinsic(value)) return value;
  throw new SynthError(`output ${name}`, "", "is an object; CloudFormation outputs are strings (export its fields as separate outputs)");
}

function isIntrinsic(value: PlainValue): boolean {
  return (
    isRecord(value) && Object.keys(value).length === 1 && (Object.keys(value)[0] === "Ref" || Object.keys(value)[0].startsWith("Fn::"))
  );
}

/** A declared parameter nothing uses means a value did not arrive where it should have. */
export function checkParametersUsed(template: CfnTemplate): void {
  const used = referencedLogicalIds({ r: template.Resources, o: template.Outputs, c: template.Conditions ?? {} } as unknown as PlainValue);
  for (const name of Object.keys(template.Parameters)) {
    if (!used.has(name)) throw new SynthError(`parameter ${name}`, "", "is declared but no resource or output uses it");
  }
}

export { joinPath };
