"use strict";
/**
 * How resource properties look to a policy, and the few helpers every rule needs to read them.
 *
 * During `pulumi preview` a property computed from another resource's output (a table ARN, a
 * generated name) is not known yet. The engine sends it as one of the sentinel strings below, and
 * @pulumi/policy wraps the props in a proxy that throws when such a value is read, which turns the
 * whole policy into an advisory "can't run during preview" note. The rules here read the raw
 * object instead and treat an unknown value explicitly: they judge everything that is known and
 * leave the unknown part to `pulumi up`, where the engine runs every policy again with the real
 * values before it creates the resource.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.UNKNOWN = exports.UNKNOWN_SENTINELS = void 0;
exports.isUnknown = isUnknown;
exports.rawProps = rawProps;
exports.isObject = isObject;
exports.asList = asList;
exports.get = get;
exports.parsePolicyDocument = parsePolicyDocument;
exports.show = show;
exports.field = field;
/** Sentinels the Pulumi engine uses for values that are not known during preview (one per kind). */
exports.UNKNOWN_SENTINELS = new Set([
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (also what the engine sends for any unknown)
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);
/** The string a test can use to stand for "not known during preview". */
exports.UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
function isUnknown(value) {
    return typeof value === "string" && exports.UNKNOWN_SENTINELS.has(value);
}
/** Key under which @pulumi/policy's unknown-checking proxy hands out the object it wraps. */
const PROXY_TARGET = "__getSpecialProxyTarget";
/**
 * The plain object behind @pulumi/policy's unknown-checking proxy (or the value itself when it is
 * not proxied, as in tests), so that reading an unknown value yields its sentinel instead of
 * throwing.
 */
function rawProps(props) {
    const target = props[PROXY_TARGET];
    return target !== undefined && typeof target === "object" && target !== null ? target : props;
}
function isObject(value) {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
/** IAM lets many policy fields be a single value or a list; this always gives a list. */
function asList(value) {
    if (value === undefined || value === null)
        return [];
    return Array.isArray(value) ? value : [value];
}
/** Reads a nested property, e.g. get(props, "loggingConfig", "logGroup"). */
function get(value, ...path) {
    let current = value;
    for (const key of path) {
        if (!isObject(current))
            return undefined;
        current = current[key];
    }
    return current;
}
/**
 * A policy document as an object. aws-native types documents as `any`: programs pass an object or
 * a JSON string. Returns "unknown" during preview when the whole document is computed, and
 * "invalid" when it is a string that is not JSON.
 */
function parsePolicyDocument(document) {
    if (document === undefined || document === null)
        return undefined;
    if (isUnknown(document))
        return "unknown";
    if (typeof document === "string") {
        try {
            const parsed = JSON.parse(document);
            return isObject(parsed) ? parsed : "invalid";
        }
        catch {
            return "invalid";
        }
    }
    return isObject(document) ? document : "invalid";
}
/** Shows a value in a violation message. */
function show(value) {
    if (isUnknown(value))
        return "(unknown during preview)";
    return JSON.stringify(value);
}
/**
 * A policy-document field whatever the case of its first letter. Inputs carry documents as
 * written ("Statement", "Effect"), but aws-native providers before pulumi-aws-native#2962 store
 * outputs with every JSON key lower-camel-cased ("statement", "effect"), and stack rules read
 * outputs.
 */
function field(value, name) {
    if (!isObject(value))
        return undefined;
    if (name in value)
        return value[name];
    const wanted = name.toLowerCase();
    const key = Object.keys(value).find((k) => k.toLowerCase() === wanted);
    return key === undefined ? undefined : value[key];
}
