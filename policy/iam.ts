/**
 * Rule: IAM policy documents grant least privilege — no wildcard action and no "*" resource,
 * except the actions AWS authorizes only against "*" (listed below with the reason).
 *
 * Only Allow statements are judged: a Deny with wildcards narrows access (the TLS-only bucket
 * policies deny "s3:*" to "*" on purpose). NotAction/NotResource in an Allow grant everything
 * except what they name, so they count as wildcards.
 */
import { asList, field, isObject, isUnknown, parsePolicyDocument, Props, show } from "./values";

/**
 * Actions that have no resource-level permissions: AWS accepts them only with Resource "*", so a
 * statement whose actions are all listed here may use "*". Scope such statements with a Condition
 * where the service offers one (cloudwatch:namespace for PutMetricData).
 */
export const RESOURCE_WILDCARD_EXCEPTIONS: Readonly<Record<string, string>> = {
  "cloudwatch:PutMetricData":
    "CloudWatch has no resource-level permissions for PutMetricData; scope it with the cloudwatch:namespace condition key.",
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
export const AWS_MANAGED_POLICY_EXCEPTIONS: Readonly<Record<string, string>> = {};

const AWS_MANAGED_POLICY = /^arn:aws[-a-z]*:iam::aws:policy\//;

/** Where each identity type keeps the ARNs of the managed policies it attaches. */
const ATTACHMENTS: Record<string, (props: Props) => unknown> = {
  "aws-native:iam:Role": (p) => p.managedPolicyArns,
  "aws-native:iam:User": (p) => p.managedPolicyArns,
  "aws-native:iam:Group": (p) => p.managedPolicyArns,
  "aws:iam/role:Role": (p) => p.managedPolicyArns,
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (p) => p.policyArn,
  "aws:iam/policyAttachment:PolicyAttachment": (p) => p.policyArn,
};

/** Violations for AWS managed policies attached outside the documented exceptions. */
export function checkManagedPolicyAttachments(type: string, props: Props): string[] {
  const locate = ATTACHMENTS[type];
  if (!locate) return [];
  const arns = locate(props);
  if (isUnknown(arns)) return [];
  return asList(arns)
    .filter(
      (arn): arn is string =>
        typeof arn === "string" &&
        AWS_MANAGED_POLICY.test(arn) &&
        !(arn.replace(/^arn:aws[-a-z]*:/, "arn:aws:") in AWS_MANAGED_POLICY_EXCEPTIONS),
    )
    .map(
      (arn) =>
        `${type} attaches the AWS managed policy ${show(arn)}, written for every account and broader than this stack needs; grant the exact actions and resources in an inline policy.`,
    );
}

/** Where each IAM-bearing type keeps its documents, for aws-native and the classic provider. */
const DOCUMENTS: Record<string, (props: Props) => Array<{ where: string; document: unknown; trust?: boolean }>> = {
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

function inlinePolicies(policies: unknown, property: string): Array<{ where: string; document: unknown }> {
  if (isUnknown(policies)) return [];
  return asList(policies).map((policy, index) => {
    const name =
      isObject(policy) && typeof policy.policyName === "string" && !isUnknown(policy.policyName) ? ` "${policy.policyName}"` : "";
    return { where: `policies[${index}]${name}`, document: isObject(policy) ? policy[property] : undefined };
  });
}

/** A wildcard resource: "*" itself, or an ARN whose resource part is "*" (e.g. arn:aws:s3:::*). */
export function isWildcardResource(resource: string): boolean {
  if (resource === "*") return true;
  const parts = resource.split(":");
  return parts[0] === "arn" && parts.length >= 6 && parts.slice(5).join(":") === "*";
}

/** One statement's elements, read whatever their case (see `field`). */
function elements(statement: Props) {
  return {
    sid: field(statement, "Sid"),
    effect: field(statement, "Effect"),
    action: field(statement, "Action"),
    notAction: field(statement, "NotAction"),
    resource: field(statement, "Resource"),
    notResource: field(statement, "NotResource"),
    principal: field(statement, "Principal"),
    notPrincipal: field(statement, "NotPrincipal"),
  };
}

function statementsOf(document: Props): unknown[] {
  const statements = field(document, "Statement");
  return isUnknown(statements) ? [] : asList(statements);
}

/** Violations in one permissions document (an identity policy). */
export function checkPermissionsDocument(document: Props, where: string): string[] {
  const violations: string[] = [];
  statementsOf(document).forEach((statement, index) => {
    if (!isObject(statement)) return;
    const s = elements(statement);
    if (s.effect !== "Allow") return;
    const label = `${where} Statement[${index}]${typeof s.sid === "string" ? ` (${s.sid})` : ""}`;
    if (s.notAction !== undefined) {
      violations.push(`${label} allows NotAction ${show(s.notAction)}, which grants every other action; list the actions instead.`);
    }
    if (s.notResource !== undefined) {
      violations.push(`${label} allows NotResource ${show(s.notResource)}, which grants every other resource; list the resources instead.`);
    }
    const actions = isUnknown(s.action) ? [] : asList(s.action).filter((a): a is string => typeof a === "string" && !isUnknown(a));
    for (const action of actions) {
      if (action.includes("*")) {
        violations.push(`${label} allows the wildcard action ${show(action)}; name the exact actions needed.`);
      }
    }
    const resources = isUnknown(s.resource) ? [] : asList(s.resource).filter((r): r is string => typeof r === "string" && !isUnknown(r));
    const wildcards = resources.filter(isWildcardResource);
    if (wildcards.length > 0) {
      const notExempt =
        isUnknown(s.action) || asList(s.action).some((a) => isUnknown(a))
          ? [] // judged at `pulumi up`, when the actions are known
          : asList(s.action).filter((a) => typeof a !== "string" || !(a in RESOURCE_WILDCARD_EXCEPTIONS));
      if (notExempt.length > 0) {
        violations.push(
          `${label} allows ${show(notExempt)} on the wildcard resource ${show(wildcards[0])}; name the resources ` +
            `(only ${Object.keys(RESOURCE_WILDCARD_EXCEPTIONS).join(", ")} may use "*").`,
        );
      }
    }
  });
  return violations;
}

function isWildcardPrincipal(principal: unknown): boolean {
  if (principal === "*") return true;
  if (!isObject(principal)) return false;
  return Object.values(principal).some((p) => asList(p).includes("*"));
}

/** Violations in a trust policy: who may assume the role must be named. */
export function checkTrustDocument(document: Props, where: string): string[] {
  const violations: string[] = [];
  statementsOf(document).forEach((statement, index) => {
    if (!isObject(statement)) return;
    const s = elements(statement);
    if (s.effect !== "Allow") return;
    if (isWildcardPrincipal(s.principal) || s.notPrincipal !== undefined) {
      violations.push(
        `${where} Statement[${index}] lets any principal assume the role (${show(s.principal ?? s.notPrincipal)}); name the service or account.`,
      );
    }
  });
  return violations;
}

/** Violations of the least-privilege rule for one resource (none for types without IAM documents). */
export function checkIamLeastPrivilege(type: string, props: Props): string[] {
  const violations: string[] = checkManagedPolicyAttachments(type, props);
  const locate = DOCUMENTS[type];
  if (!locate) return violations;
  for (const { where, document, trust } of locate(props)) {
    const parsed = parsePolicyDocument(document);
    if (parsed === undefined || parsed === "unknown") continue;
    if (parsed === "invalid") {
      violations.push(`${type} ${where} is not a JSON policy document: ${show(document)}.`);
      continue;
    }
    violations.push(...(trust ? checkTrustDocument(parsed, `${type} ${where}`) : checkPermissionsDocument(parsed, `${type} ${where}`)));
  }
  return violations;
}
