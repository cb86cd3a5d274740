/**
 * Rule: resource policies make nothing public. An Allow for every principal ("*") must be
 * narrowed by a condition on who or where the caller is; a Lambda permission for an AWS service
 * must name the source (otherwise any account's bucket or topic could invoke the function — the
 * confused-deputy problem).
 */
import { asList, field, isObject, isUnknown, parsePolicyDocument, Props, show } from "./values";

/** Where each resource-policy-bearing aws-native type keeps its document. */
const DOCUMENT_OF: Record<string, string> = {
  "aws-native:s3:BucketPolicy": "policyDocument",
  "aws-native:sns:TopicPolicy": "policyDocument",
  "aws-native:sns:TopicInlinePolicy": "policyDocument",
  "aws-native:sqs:QueuePolicy": "policyDocument",
  "aws-native:sqs:QueueInlinePolicy": "policyDocument",
  "aws-native:kms:Key": "keyPolicy",
  "aws-native:secretsmanager:ResourcePolicy": "resourcePolicy",
};

/** Condition keys that tie a statement to specific callers, accounts, organizations or networks. */
export const NARROWING_CONDITION_KEYS = [
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

function isEveryone(principal: unknown): boolean {
  return principal === "*" || (isObject(principal) && asList(field(principal, "AWS")).includes("*"));
}

function isNarrowed(condition: unknown): boolean {
  if (isUnknown(condition)) return true;
  if (!isObject(condition)) return false;
  return Object.values(condition).some(
    (operands) =>
      isUnknown(operands) ||
      (isObject(operands) && Object.keys(operands).some((key) => NARROWING_CONDITION_KEYS.includes(key.toLowerCase()))),
  );
}

export function checkResourcePolicyNotPublic(type: string, props: Props): string[] {
  if (type === "aws-native:lambda:Permission") return checkLambdaPermission(type, props);
  const property = DOCUMENT_OF[type];
  if (!property) return [];
  const document = parsePolicyDocument(props[property]);
  if (document === undefined || document === "unknown") return [];
  if (document === "invalid") return [`${type} ${property} is not a JSON policy document: ${show(props[property])}.`];
  const statements = field(document, "Statement");
  if (isUnknown(statements)) return [];
  return asList(statements).flatMap((statement, index) => {
    if (!isObject(statement) || field(statement, "Effect") !== "Allow") return [];
    const principal = field(statement, "Principal");
    if (isUnknown(principal) || !isEveryone(principal) || isNarrowed(field(statement, "Condition"))) return [];
    return [
      `${type} ${property} Statement[${index}] allows ${show(field(statement, "Action") ?? null)} to every principal (${show(principal)}) ` +
        `with no condition on the caller; name the principals or add a condition on ${["aws:SourceArn", "aws:SourceAccount", "aws:PrincipalOrgID"].join(", ")}.`,
    ];
  });
}

function checkLambdaPermission(type: string, props: Props): string[] {
  const principal = props.principal;
  if (isUnknown(principal) || typeof principal !== "string") return [];
  const named = (key: string) => props[key] !== undefined && props[key] !== null;
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
