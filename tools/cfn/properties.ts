/**
 * aws-native inputs → CloudFormation properties. The schema and the value are walked
 * together: object types take their CloudFormation names from the schema's name table, while
 * free-form values (maps such as Lambda environment variables or map-shaped tags, and JSON
 * such as IAM policy documents) keep their keys exactly as the program wrote them.
 */
import { SynthError, joinPath } from "./errors";
import type { PropertyType, Resource, ResourceSchemas, NameTable, ResourceProperties } from "./schemas";

export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

interface WalkContext {
  schemas: ResourceSchemas;
  /** Pulumi resource name, for error messages. */
  subject: string;
}

/** Converts one resource's SDK-named inputs to its CloudFormation `Properties`. */
export function toCloudFormationProperties(
  schemas: ResourceSchemas,
  resource: Resource,
  subject: string,
  inputs: Record<string, unknown>,
): Record<string, PlainValue> {
  const context: WalkContext = { schemas, subject };
  return convertObject(context, resource.properties, schemas.resourcePropertyNames(resource), inputs, "", resource.cloudFormationType);
}

function convertObject(
  context: WalkContext,
  properties: ResourceProperties,
  names: NameTable,
  value: Record<string, unknown>,
  path: string,
  typeName: string,
): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  for (const [sdkName, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const itemPath = joinPath(path, sdkName);
    const cfnName = names.get(sdkName);
    if (cfnName === undefined) {
      const known = [...names.keys()].sort().join(", ");
      throw new SynthError(context.subject, itemPath, `${typeName} has no property whose SDK name is "${sdkName}" (known: ${known})`);
    }
    out[cfnName] = convert(context, properties[cfnName].type, item, itemPath);
  }
  return out;
}

function convert(context: WalkContext, type: PropertyType, value: unknown, path: string): PlainValue {
  if (value === null) return null;
  switch (type.type) {
    case "string":
    case "date-time":
      return expectPrimitive(context, value, path, "a string", (v) => typeof v === "string");
    case "number":
    case "integer":
      // CloudFormation accepts numbers as numbers or numeric strings; markers (strings) may stand for numbers.
      return expectPrimitive(context, value, path, "a number", (v) => typeof v === "number" || typeof v === "string");
    case "boolean":
      return expectPrimitive(context, value, path, "a boolean", (v) => typeof v === "boolean" || v === "true" || v === "false");
    case "null":
      return null;
    case "json":
      return plain(context, value, path);
    case "tag":
      return convertTag(context, value, path);
    case "array": {
      if (!Array.isArray(value)) throw mismatch(context, path, "a list", value);
      return value.map((element, i) => convert(context, type.element, element, joinPath(path, i)));
    }
    case "map": {
      if (!isRecord(value)) throw mismatch(context, path, "a map", value);
      const out: Record<string, PlainValue> = {};
      for (const [key, element] of Object.entries(value)) {
        if (element !== undefined) out[key] = convert(context, type.element, element, joinPath(path, key));
      }
      return out;
    }
    case "ref": {
      if (!isRecord(value)) throw mismatch(context, path, "an object", value);
      const definition = context.schemas.definition(type);
      return convertObject(
        context,
        definition.properties,
        context.schemas.definitionPropertyNames(definition),
        value,
        path,
        definition.name,
      );
    }
    case "union":
      return convert(context, pickUnionMember(context, type.types, value, path), value, path);
  }
}

/** The union member a value's shape fits: objects prefer typed definitions, then free-form JSON. */
function pickUnionMember(context: WalkContext, types: PropertyType[], value: unknown, path: string): PropertyType {
  const fits = (t: PropertyType): boolean => {
    switch (t.type) {
      case "string":
      case "date-time":
        return typeof value === "string";
      case "number":
      case "integer":
        return typeof value === "number";
      case "boolean":
        return typeof value === "boolean";
      case "array":
        return Array.isArray(value);
      case "map":
      case "json":
      case "tag":
        return isRecord(value) || (t.type === "json" && Array.isArray(value));
      case "ref":
        return isRecord(value) && definitionAccepts(context, t, value);
      case "union":
        return t.types.some(fits);
      case "null":
        return value === null;
    }
  };
  const order = (t: PropertyType): number => (t.type === "ref" ? 0 : t.type === "json" ? 2 : 1);
  const candidates = types.filter(fits).sort((a, b) => order(a) - order(b));
  if (candidates.length === 0) throw mismatch(context, path, `one of ${types.map((t) => t.type).join(" | ")}`, value);
  return candidates[0];
}

function definitionAccepts(context: WalkContext, type: Extract<PropertyType, { type: "ref" }>, value: Record<string, unknown>): boolean {
  const names = context.schemas.definitionPropertyNames(context.schemas.definition(type));
  return Object.keys(value).every((key) => names.has(key));
}

/** CloudFormation's built-in tag shape `{Key, Value}`; aws-native spells it `{key, value}`. */
function convertTag(context: WalkContext, value: unknown, path: string): PlainValue {
  if (!isRecord(value)) throw mismatch(context, path, "a tag {key, value}", value);
  const extra = Object.keys(value).filter((k) => k !== "key" && k !== "value");
  if (extra.length > 0 || typeof value.key !== "string" || typeof value.value !== "string") {
    throw new SynthError(context.subject, path, `a tag must be {key: string, value: string}; got ${describe(value)}`);
  }
  return { Key: value.key, Value: value.value };
}

function expectPrimitive(context: WalkContext, value: unknown, path: string, expected: string, ok: (v: unknown) => boolean): PlainValue {
  if (!ok(value)) throw mismatch(context, path, expected, value);
  return refuseUrn(context, value, path) as PlainValue;
}

/** A resource passed as an input reaches the provider as its URN, which means nothing to AWS. */
function refuseUrn(context: WalkContext, value: unknown, path: string): unknown {
  if (typeof value === "string" && value.startsWith("urn:pulumi:")) {
    throw new SynthError(
      context.subject,
      path,
      `is a Pulumi resource reference (${value}); pass the resource's name or ARN output instead`,
    );
  }
  return value;
}

/** Free-form JSON: copied key for key; anything that is not JSON (functions, assets) is refused. */
function plain(context: WalkContext, value: unknown, path: string): PlainValue {
  if (typeof value === "string") return refuseUrn(context, value, path) as string;
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw mismatch(context, path, "a finite number", value);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => plain(context, v, joinPath(path, i)));
  if (isRecord(value)) {
    const out: Record<string, PlainValue> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(context, v, joinPath(path, k));
    return out;
  }
  throw mismatch(context, path, "JSON", value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function mismatch(context: WalkContext, path: string, expected: string, value: unknown): SynthError {
  return new SynthError(context.subject, path, `the schema expects ${expected}; got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === "object" && value !== null && !Array.isArray(value) && !isRecord(value)) {
    return `an instance of ${value.constructor?.name ?? "an unknown class"}`;
  }
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
