"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SUPPORTED_RUNTIMES = exports.LOG_GROUP = exports.FUNCTION = void 0;
exports.checkLambdaRuntime = checkLambdaRuntime;
exports.checkLambdaArchitecture = checkLambdaArchitecture;
exports.checkLogGroupRetention = checkLogGroupRetention;
exports.functionLogGroupName = functionLogGroupName;
exports.checkFunctionsHaveManagedLogGroups = checkFunctionsHaveManagedLogGroups;
const values_1 = require("./values");
exports.FUNCTION = "aws-native:lambda:Function";
exports.LOG_GROUP = "aws-native:logs:LogGroup";
/**
 * Node.js runtimes Lambda currently supports for creation and updates. nodejs20.x and older can no
 * longer be created; revisit when Lambda announces nodejs22.x's deprecation date.
 */
exports.SUPPORTED_RUNTIMES = ["nodejs22.x", "nodejs24.x"];
function checkLambdaRuntime(type, props) {
    if (type !== exports.FUNCTION || props.packageType === "Image")
        return [];
    const runtime = props.runtime;
    if ((0, values_1.isUnknown)(runtime) || (typeof runtime === "string" && exports.SUPPORTED_RUNTIMES.includes(runtime)))
        return [];
    return [`${type} runtime is ${(0, values_1.show)(runtime ?? null)}; use one of ${exports.SUPPORTED_RUNTIMES.join(", ")}.`];
}
/** arm64 (Graviton) costs 20% less per GB-second than x86_64 for this CPU-bound work. */
function checkLambdaArchitecture(type, props) {
    if (type !== exports.FUNCTION)
        return [];
    const architectures = props.architectures;
    if ((0, values_1.isUnknown)(architectures))
        return [];
    const list = (0, values_1.asList)(architectures);
    if (list.length === 1 && (list[0] === "arm64" || (0, values_1.isUnknown)(list[0])))
        return [];
    return [`${type} architectures is ${(0, values_1.show)(architectures ?? ["x86_64 (the default)"])}; set ["arm64"].`];
}
/** CloudWatch keeps log events forever unless the group says otherwise. */
function checkLogGroupRetention(type, props) {
    if (type !== exports.LOG_GROUP)
        return [];
    const days = props.retentionInDays;
    if ((0, values_1.isUnknown)(days) || (typeof days === "number" && days > 0))
        return [];
    return [`${type} retentionInDays is ${(0, values_1.show)(days ?? null)}; set a retention so logs do not accumulate forever.`];
}
/** The log group a function writes to: its loggingConfig's, else Lambda's default. */
function functionLogGroupName(props) {
    const configured = (0, values_1.get)(props, "loggingConfig", "logGroup");
    if ((0, values_1.isUnknown)(props.loggingConfig) || (0, values_1.isUnknown)(configured))
        return "unknown";
    if (typeof configured === "string")
        return configured;
    if ((0, values_1.isUnknown)(props.functionName))
        return "unknown";
    return typeof props.functionName === "string" ? `/aws/lambda/${props.functionName}` : undefined;
}
/**
 * Stack rule: every function's log group is declared in the stack with a retention. Otherwise
 * Lambda creates the group itself on first invocation, with no retention and no tags.
 */
function checkFunctionsHaveManagedLogGroups(resources) {
    const groups = resources.filter((r) => r.type === exports.LOG_GROUP);
    const violations = [];
    for (const fn of resources.filter((r) => r.type === exports.FUNCTION)) {
        const name = functionLogGroupName(fn.props);
        if (name === "unknown")
            continue;
        if (name === undefined) {
            violations.push({
                urn: fn.urn,
                message: `${exports.FUNCTION} "${fn.name}" has neither loggingConfig.logGroup nor a functionName, so Lambda will create its log group without retention; point loggingConfig.logGroup at a ${exports.LOG_GROUP} of the stack.`,
            });
            continue;
        }
        const fromDependency = fn.propertyDependencies?.loggingConfig ?? [];
        const group = groups.find((g) => g.props.logGroupName === name) ?? groups.find((g) => fromDependency.includes(g.urn));
        if (!group) {
            violations.push({
                urn: fn.urn,
                message: `${exports.FUNCTION} "${fn.name}" logs to ${(0, values_1.show)(name)}, which no ${exports.LOG_GROUP} of this stack declares; declare it with retentionInDays.`,
            });
            continue;
        }
        const retention = checkLogGroupRetention(exports.LOG_GROUP, group.props);
        if (retention.length > 0) {
            violations.push({ urn: fn.urn, message: `${exports.FUNCTION} "${fn.name}" logs to ${(0, values_1.show)(name)}, but ${retention[0]}` });
        }
    }
    return violations;
}
