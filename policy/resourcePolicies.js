"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.NARROWING_CONDITION_KEYS = void 0;
exports.checkResourcePolicyNotPublic = checkResourcePolicyNotPublic;
/**
 * Rule: resource policies make nothing public. An Allow for every principal ("*") must be
 * narrowed by a condition on who or where the caller is; a Lambda permission for an AWS service
 * must name the source (otherwise any account's bucket or topic could invoke the function — the
 * confused-deputy problem).
 */
const values_1 = require("./values");
/** Where each resource-policy-bearing aws-native type keeps its document. */
const DOCUMENT_OF = {
    "aws-native:s3:BucketPolicy": "policyDocument",
    "aws-native:sns:TopicPolicy": "policyDocument",
    "aws-native:sns:TopicInlinePolicy": "policyDocument",
    "aws-native:sqs:QueuePolicy": "policyDocument",
    "aws-native:sqs:QueueInlinePolicy": "policyDocument",
    "aws-native:kms:Key": "keyPolicy",
    "aws-native:secretsmanager:ResourcePolicy": "resourcePolicy",
};
/** Condition keys that tie a statement to specific callers, accounts, organizations or networks. */
exports.NARROWING_CONDITION_KEYS = [
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceOrgID",
    "aws:PrincipalOrgID",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceIp",
    "kms:CallerAccount",
].map((k) => k.toLowerCase());
function isEveryone(principal) {
    return principal === "*" || ((0, values_1.isObject)(principal) && (0, values_1.asList)((0, values_1.field)(principal, "AWS")).includes("*"));
}
function isNarrowed(condition) {
    if ((0, values_1.isUnknown)(condition))
        return true;
    if (!(0, values_1.isObject)(condition))
        return false;
    return Object.values(condition).some((operands) => (0, values_1.isUnknown)(operands) ||
        ((0, values_1.isObject)(operands) && Object.keys(operands).some((key) => exports.NARROWING_CONDITION_KEYS.includes(key.toLowerCase()))));
}
function checkResourcePolicyNotPublic(type, props) {
    if (type === "aws-native:lambda:Permission")
        return checkLambdaPermission(type, props);
    const property = DOCUMENT_OF[type];
    if (!property)
        return [];
    const document = (0, values_1.parsePolicyDocument)(props[property]);
    if (document === undefined || document === "unknown")
        return [];
    if (document === "invalid")
        return [`${type} ${property} is not a JSON policy document: ${(0, values_1.show)(props[property])}.`];
    const statements = (0, values_1.field)(document, "Statement");
    if ((0, values_1.isUnknown)(statements))
        return [];
    return (0, values_1.asList)(statements).flatMap((statement, index) => {
        if (!(0, values_1.isObject)(statement) || (0, values_1.field)(statement, "Effect") !== "Allow")
            return [];
        const principal = (0, values_1.field)(statement, "Principal");
        if ((0, values_1.isUnknown)(principal) || !isEveryone(principal) || isNarrowed((0, values_1.field)(statement, "Condition")))
            return [];
        return [
            `${type} ${property} Statement[${index}] allows ${(0, values_1.show)((0, values_1.field)(statement, "Action") ?? null)} to every principal (${(0, values_1.show)(principal)}) ` +
                `with no condition on the caller; name the principals or add a condition on ${["aws:SourceArn", "aws:SourceAccount", "aws:PrincipalOrgID"].join(", ")}.`,
        ];
    });
}
function checkLambdaPermission(type, props) {
    const principal = props.principal;
    if ((0, values_1.isUnknown)(principal) || typeof principal !== "string")
        return [];
    const named = (key) => props[key] !== undefined && props[key] !== null;
    if (principal === "*") {
        return named("sourceArn") || named("sourceAccount") || named("principalOrgId")
            ? []
            : [`${type} lets every principal invoke the function; set sourceArn, sourceAccount or principalOrgId.`];
    }
    if (principal.endsWith(".amazonaws.com") && !named("sourceArn") && !named("sourceAccount")) {
        return [`${type} lets ${principal} invoke the function on behalf of any account; set sourceArn (and sourceAccount).`];
    }
    return [];
}
