"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.REQUIRED_TAGS = void 0;
exports.tagShapeOf = tagShapeOf;
exports.readTags = readTags;
exports.tagValue = tagValue;
exports.checkRequiredTags = checkRequiredTags;
/**
 * Rule: every taggable resource carries the tags cost allocation and ownership depend on.
 *
 * aws-native resources take tags in different shapes — most an array of {key, value}, some a
 * map — so the rule reads both, and knows from the SDK (taggableTypes.ts) which types accept tags
 * at all, so that a taggable resource with no `tags` is caught too.
 */
const taggableTypes_1 = require("./taggableTypes");
const values_1 = require("./values");
/** The tags every taggable resource must carry, with a non-empty value. */
exports.REQUIRED_TAGS = ["Project", "Environment", "ManagedBy"];
const SHAPES = new Map([
    ...taggableTypes_1.KEY_VALUE_ARRAY_TAGGED.map((t) => [`aws-native:${t}`, "keyValueArray"]),
    ...taggableTypes_1.STRING_MAP_TAGGED.map((t) => [`aws-native:${t}`, "stringMap"]),
    ...taggableTypes_1.OTHER_TAGGED.map((t) => [`aws-native:${t}`, "other"]),
]);
/** The shape a type's `tags` input takes, or undefined when the type takes no tags. */
function tagShapeOf(type) {
    return SHAPES.get(type);
}
/**
 * A resource's tags as a map. Unknown keys or values (preview) map to undefined; the whole result
 * is "unknown" when the tags themselves are computed, undefined when there are none.
 */
function readTags(tags) {
    if (tags === undefined || tags === null)
        return undefined;
    if ((0, values_1.isUnknown)(tags))
        return "unknown";
    const result = new Map();
    if (Array.isArray(tags)) {
        for (const tag of tags) {
            if (!(0, values_1.isObject)(tag))
                continue;
            const key = tag.key ?? tag.Key;
            const value = tag.value ?? tag.Value;
            // A key not known during preview is kept under UNKNOWN, so no tag is called missing yet.
            if (typeof key === "string") {
                result.set((0, values_1.isUnknown)(key) ? values_1.UNKNOWN : key, typeof value === "string" && !(0, values_1.isUnknown)(value) ? value : undefined);
            }
        }
        return result;
    }
    if ((0, values_1.isObject)(tags)) {
        for (const [key, value] of Object.entries(tags)) {
            result.set(key, typeof value === "string" && !(0, values_1.isUnknown)(value) ? value : undefined);
        }
        return result;
    }
    return result;
}
/** The value of one tag, when it is known. */
function tagValue(props, key) {
    const tags = readTags(props.tags);
    return tags instanceof Map ? tags.get(key) : undefined;
}
/** Violations of the required-tags rule for one resource (none when the type takes no tags). */
function checkRequiredTags(type, props) {
    const shape = tagShapeOf(type);
    if (shape === undefined && props.tags === undefined)
        return [];
    const tags = readTags(props.tags);
    if (tags === "unknown")
        return [];
    const howTo = shape === "stringMap"
        ? "as a map of key to value"
        : shape === "keyValueArray"
            ? "as an array of {key, value}"
            : "in the shape this type's `tags` takes";
    if (tags === undefined) {
        return [`${type} has no tags; it must carry ${exports.REQUIRED_TAGS.join(", ")} (${howTo}).`];
    }
    const violations = [];
    for (const key of exports.REQUIRED_TAGS) {
        if (!tags.has(key)) {
            if (tags.has(values_1.UNKNOWN))
                continue;
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
