"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.AWS_MANAGED_POLICY_EXCEPTIONS = exports.RESOURCE_WILDCARD_EXCEPTIONS = void 0;
exports.checkManagedPolicyAttachments = checkManagedPolicyAttachments;
exports.isWildcardResource = isWildcardResource;
exports.checkPermissionsDocument = checkPermissionsDocument;
exports.checkTrustDocument = checkTrustDocument;
exports.checkIamLeastPrivilege = checkIamLeastPrivilege;
/**
 * Rule: IAM policy documents grant least privilege — no wildcard action and no "*" resource,
 * except the actions AWS authorizes only against "*" (listed below with the reason).
 *
 * Only Allow statements are judged: a Deny with wildcards narrows access (the TLS-only bucket
 * policies deny "s3:*" to "*" on purpose). NotAction/NotResource in an Allow grant everything
 * except what they name, so they count as wildcards.
 */
const values_1 = require("./values");
/**
 * Actions that have no resource-level permissions: AWS accepts them only with Resource "*", so a
 * statement whose actions are all listed here may use "*". Scope such statements with a Condition
 * where the service offers one (cloudwatch:namespace for PutMetricData).
 */
exports.RESOURCE_WILDCARD_EXCEPTIONS = {
    "cloudwatch:PutMetricData": "CloudWatch has no resource-level permissions for PutMetricData; scope it with the cloudwatch:namespace condition key.",
    "xray:PutTraceSegments": "X-Ray trace ingestion has no resource-level permissions.",
    "xray:PutTelemetryRecords": "X-Ray telemetry ingestion has no resource-level permissions.",
    "xray:GetSamplingRules": "X-Ray sampling reads have no resource-level permissions.",
    "xray:GetSamplingTargets": "X-Ray sampling reads have no resource-level permissions.",
};
/**
 * AWS managed policies a role may attach. They are written for every account, so most grant "*"
 * resources (AWSLambdaBasicExecutionRole: logs on every log group) and change without notice;
 * none is needed here. Add one with the reason if a future need has no narrower alternative.
 */
exports.AWS_MANAGED_POLICY_EXCEPTIONS = {};
const AWS_MANAGED_POLICY = /^arn:aws[-a-z]*:iam::aws:policy\//;
/** Where each identity type keeps the ARNs of the managed policies it attaches. */
const ATTACHMENTS = {
    "aws-native:iam:Role": (p) => p.managedPolicyArns,
    "aws-native:iam:User": (p) => p.managedPolicyArns,
    "aws-native:iam:Group": (p) => p.managedPolicyArns,
    "aws:iam/role:Role": (p) => p.managedPolicyArns,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (p) => p.policyArn,
    "aws:iam/policyAttachment:PolicyAttachment": (p) => p.policyArn,
};
/** Violations for AWS managed policies attached outside the documented exceptions. */
function checkManagedPolicyAttachments(type, props) {
    const locate = ATTACHMENTS[type];
    if (!locate)
        return [];
    const arns = locate(props);
    if ((0, values_1.isUnknown)(arns))
        return [];
    return (0, values_1.asList)(arns)
        .filter((arn) => typeof arn === "string" &&
        AWS_MANAGED_POLICY.test(arn) &&
        !(arn.replace(/^arn:aws[-a-z]*:/, "arn:aws:") in exports.AWS_MANAGED_POLICY_EXCEPTIONS))
        .map((arn) => `${type} attaches the AWS managed policy ${(0, values_1.show)(arn)}, written for every account and broader than this stack needs; grant the exact actions and resources in an inline policy.`);
}
/** Where each IAM-bearing type keeps its documents, for aws-native and the classic provider. */
const DOCUMENTS = {
    "aws-native:iam:Role": (p) => [
        { where: "assumeRolePolicyDocument", document: p.assumeRolePolicyDocument, trust: true },
        ...inlinePolicies(p.policies, "policyDocument"),
    ],
    "aws-native:iam:User": (p) => inlinePolicies(p.policies, "policyDocument"),
    "aws-native:iam:Group": (p) => inlinePolicies(p.policies, "policyDocument"),
    "aws-native:iam:ManagedPolicy": (p) => [{ where: "policyDocument", document: p.policyDocument }],
    "aws-native:iam:RolePolicy": (p) => [{ where: "policyDocument", document: p.policyDocument }],
    "aws-native:iam:UserPolicy": (p) => [{ where: "policyDocument", document: p.policyDocument }],
    "aws-native:iam:GroupPolicy": (p) => [{ where: "policyDocument", document: p.policyDocument }],
    "aws:iam/role:Role": (p) => [
        { where: "assumeRolePolicy", document: p.assumeRolePolicy, trust: true },
        ...inlinePolicies(p.inlinePolicies, "policy"),
    ],
    "aws:iam/policy:Policy": (p) => [{ where: "policy", document: p.policy }],
    "aws:iam/rolePolicy:RolePolicy": (p) => [{ where: "policy", document: p.policy }],
    "aws:iam/userPolicy:UserPolicy": (p) => [{ where: "policy", document: p.policy }],
    "aws:iam/groupPolicy:GroupPolicy": (p) => [{ where: "policy", document: p.policy }],
};
function inlinePolicies(policies, property) {
    if ((0, values_1.isUnknown)(policies))
        return [];
    return (0, values_1.asList)(policies).map((policy, index) => {
        const name = (0, values_1.isObject)(policy) && typeof policy.policyName === "string" && !(0, values_1.isUnknown)(policy.policyName) ? ` "${policy.policyName}"` : "";
        return { where: `policies[${index}]${name}`, document: (0, values_1.isObject)(policy) ? policy[property] : undefined };
    });
}
/** A wildcard resource: "*" itself, or an ARN whose resource part is "*" (e.g. arn:aws:s3:::*). */
function isWildcardResource(resource) {
    if (resource === "*")
        return true;
    const parts = resource.split(":");
    return parts[0] === "arn" && parts.length >= 6 && parts.slice(5).join(":") === "*";
}
/** One statement's elements, read whatever their case (see `field`). */
function elements(statement) {
    return {
        sid: (0, values_1.field)(statement, "Sid"),
        effect: (0, values_1.field)(statement, "Effect"),
        action: (0, values_1.field)(statement, "Action"),
        notAction: (0, values_1.field)(statement, "NotAction"),
        resource: (0, values_1.field)(statement, "Resource"),
        notResource: (0, values_1.field)(statement, "NotResource"),
        principal: (0, values_1.field)(statement, "Principal"),
        notPrincipal: (0, values_1.field)(statement, "NotPrincipal"),
    };
}
function statementsOf(document) {
    const statements = (0, values_1.field)(document, "Statement");
    return (0, values_1.isUnknown)(statements) ? [] : (0, values_1.asList)(statements);
}
/** Violations in one permissions document (an identity policy). */
function checkPermissionsDocument(document, where) {
    const violations = [];
    statementsOf(document).forEach((statement, index) => {
        if (!(0, values_1.isObject)(statement))
            return;
        const s = elements(statement);
        if (s.effect !== "Allow")
            return;
        const label = `${where} Statement[${index}]${typeof s.sid === "string" ? ` (${s.sid})` : ""}`;
        if (s.notAction !== undefined) {
            violations.push(`${label} allows NotAction ${(0, values_1.show)(s.notAction)}, which grants every other action; list the actions instead.`);
        }
        if (s.notResource !== undefined) {
            violations.push(`${label} allows NotResource ${(0, values_1.show)(s.notResource)}, which grants every other resource; list the resources instead.`);
        }
        const actions = (0, values_1.isUnknown)(s.action) ? [] : (0, values_1.asList)(s.action).filter((a) => typeof a === "string" && !(0, values_1.isUnknown)(a));
        for (const action of actions) {
            if (action.includes("*")) {
                violations.push(`${label} allows the wildcard action ${(0, values_1.show)(action)}; name the exact actions needed.`);
            }
        }
        const resources = (0, values_1.isUnknown)(s.resource) ? [] : (0, values_1.asList)(s.resource).filter((r) => typeof r === "string" && !(0, values_1.isUnknown)(r));
        const wildcards = resources.filter(isWildcardResource);
        if (wildcards.length > 0) {
            const notExempt = (0, values_1.isUnknown)(s.action) || (0, values_1.asList)(s.action).some((a) => (0, values_1.isUnknown)(a))
                ? [] // judged at `pulumi up`, when the actions are known
                : (0, values_1.asList)(s.action).filter((a) => typeof a !== "string" || !(a in exports.RESOURCE_WILDCARD_EXCEPTIONS));
            if (notExempt.length > 0) {
                violations.push(`${label} allows ${(0, values_1.show)(notExempt)} on the wildcard resource ${(0, values_1.show)(wildcards[0])}; name the resources ` +
                    `(only ${Object.keys(exports.RESOURCE_WILDCARD_EXCEPTIONS).join(", ")} may use "*").`);
            }
        }
    });
    return violations;
}
function isWildcardPrincipal(principal) {
    if (principal === "*")
        return true;
    if (!(0, values_1.isObject)(principal))
        return false;
    return Object.values(principal).some((p) => (0, values_1.asList)(p).includes("*"));
}
/** Violations in a trust policy: who may assume the role must be named. */
function checkTrustDocument(document, where) {
    const violations = [];
    statementsOf(document).forEach((statement, index) => {
        if (!(0, values_1.isObject)(statement))
            return;
        const s = elements(statement);
        if (s.effect !== "Allow")
            return;
        if (isWildcardPrincipal(s.principal) || s.notPrincipal !== undefined) {
            violations.push(`${where} Statement[${index}] lets any principal assume the role (${(0, values_1.show)(s.principal ?? s.notPrincipal)}); name the service or account.`);
        }
    });
    return violations;
}
/** Violations of the least-privilege rule for one resource (none for types without IAM documents). */
function checkIamLeastPrivilege(type, props) {
    const violations = checkManagedPolicyAttachments(type, props);
    const locate = DOCUMENTS[type];
    if (!locate)
        return violations;
    for (const { where, document, trust } of locate(props)) {
        const parsed = (0, values_1.parsePolicyDocument)(document);
        if (parsed === undefined || parsed === "unknown")
            continue;
        if (parsed === "invalid") {
            violations.push(`${type} ${where} is not a JSON policy document: ${(0, values_1.show)(document)}.`);
            continue;
        }
        violations.push(...(trust ? checkTrustDocument(parsed, `${type} ${where}`) : checkPermissionsDocument(parsed, `${type} ${where}`)));
    }
    return violations;
}
