/**
 * Rule: every taggable resource carries the tags cost allocation and ownership depend on.
 *
 * aws-native resources take tags in different shapes — most an array of {key, value}, some a
 * map — so the rule reads both, and knows from the SDK (taggableTypes.ts) which types accept tags
 * at all, so that a taggable resource with no `tags` is caught too.
 */
import { KEY_VALUE_ARRAY_TAGGED, OTHER_TAGGED, STRING_MAP_TAGGED } from "./taggableTypes";
import { isObject, isUnknown, Props, UNKNOWN } from "./values";

/** The tags every taggable resource must carry, with a non-empty value. */
export const REQUIRED_TAGS = ["Project", "Environment", "ManagedBy"] as const;

export type TagShape = "keyValueArray" | "stringMap" | "other";

const SHAPES = new Map<string, TagShape>([
  ...KEY_VALUE_ARRAY_TAGGED.map((t) => [`aws-native:${t}`, "keyValueArray"] as const),
  ...STRING_MAP_TAGGED.map((t) => [`aws-native:${t}`, "stringMap"] as const),
  ...OTHER_TAGGED.map((t) => [`aws-native:${t}`, "other"] as const),
]);

/** The shape a type's `tags` input takes, or undefined when the type takes no tags. */
export function tagShapeOf(type: string): TagShape | undefined {
  return SHAPES.get(type);
}

/**
 * A resource's tags as a map. Unknown keys or values (preview) map to undefined; the whole result
 * is "unknown" when the tags themselves are computed, undefined when there are none.
 */
export function readTags(tags: unknown): Map<string, string | undefined> | "unknown" | undefined {
  if (tags === undefined || tags === null) return undefined;
  if (isUnknown(tags)) return "unknown";
  const result = new Map<string, string | undefined>();
  if (Array.isArray(tags)) {
    for (const tag of tags) {
      if (!isObject(tag)) continue;
      const key = tag.key ?? tag.Key;
      const value = tag.value ?? tag.Value;
      // A key not known during preview is kept under UNKNOWN, so no tag is called missing yet.
      if (typeof key === "string") {
        result.set(isUnknown(key) ? UNKNOWN : key, typeof value === "string" && !isUnknown(value) ? value : undefined);
      }
    }
    return result;
  }
  if (isObject(tags)) {
    for (const [key, value] of Object.entries(tags)) {
      result.set(key, typeof value === "string" && !isUnknown(value) ? value : undefined);
    }
    return result;
  }
  return result;
}

/** The value of one tag, when it is known. */
export function tagValue(props: Props, key: string): string | undefined {
  const tags = readTags(props.tags);
  return tags instanceof Map ? tags.get(key) : undefined;
}

/** Violations of the required-tags rule for one resource (none when the type takes no tags). */
export function checkRequiredTags(type: string, props: Props): string[] {
  const shape = tagShapeOf(type);
  if (shape === undefined && props.tags === undefined) return [];
  const tags = readTags(props.tags);
  if (tags === "unknown") return [];
  const howTo =
    shape === "stringMap"
      ? "as a map of key to value"
      : shape === "keyValueArray"
        ? "as an array of {key, value}"
        : "in the shape this type's `tags` takes";
  if (tags === undefined) {
    return [`${type} has no tags; it must carry ${REQUIRED_TAGS.join(", ")} (${howTo}).`];
  }
  const violations: string[] = [];
  for (const key of REQUIRED_TAGS) {
    if (!tags.has(key)) {
      if (tags.has(UNKNOWN)) continue;
      violations.push(`${type} is missing the required tag "${key}" (tags ${howTo}).`);
      continue;
    }
    const value = tags.get(key);
    // An undefined value is one not known during preview: judged at `pulumi up`.
    if (value !== undefined && value.trim() === "") {
      violations.push(`${type} has an empty value for the required tag "${key}".`);
    }
  }
  return violations;
}
