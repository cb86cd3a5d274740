/**
 * Properties that AWS's schema database (@aws-cdk/aws-service-spec, and aws-native, which
 * accepts them) already has but the resource schemas bundled with cfn-lint 1.51 do not yet.
 * Such a property is right for CloudFormation today, yet cfn-lint reports it as E3002
 * ("additional properties"), so the resource carries a cfn-lint ignore for E3002 alone — every
 * other check still runs on it. tests/cfn/stacks.spec.ts lints a canary for each entry and
 * fails once cfn-lint accepts the property, so the entry is removed then.
 */
export const NEWER_THAN_CFN_LINT: Readonly<Record<string, readonly string[]>> = {
  "AWS::CloudWatch::Dashboard": ["Tags"],
};

export const CFN_LINT_LAG_CHECK = "E3002";

/** The resource Metadata that tells cfn-lint to skip E3002 on it, when it uses such a property. */
export function linterLagMetadata(cloudFormationType: string, properties: Record<string, unknown>): Record<string, unknown> | undefined {
  const lagging = (NEWER_THAN_CFN_LINT[cloudFormationType] ?? []).filter((p) => p in properties);
  if (lagging.length === 0) return undefined;
  return { config: { ignore_checks: [CFN_LINT_LAG_CHECK] } };
}
