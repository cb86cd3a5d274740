/**
 * Rules for DynamoDB tables: encrypted at rest with a KMS key, and in production recoverable
 * (point-in-time recovery) and protected from deletion.
 */
import { readTags } from "./tags";
import { get, isUnknown, Props, show, UNKNOWN } from "./values";

export const TABLE = "aws-native:dynamodb:Table";

/** Environments whose tables must have PITR and deletion protection, unless the pack is configured otherwise. */
export const DEFAULT_PRODUCTION_ENVIRONMENTS = ["prod"];

/**
 * DynamoDB always encrypts at rest; sseSpecification.sseEnabled = true moves it to a KMS key the
 * account can audit in CloudTrail and control (AWS managed or customer managed).
 */
export function checkTableEncryption(type: string, props: Props): string[] {
  if (type !== TABLE) return [];
  const enabled = get(props, "sseSpecification", "sseEnabled");
  if (isUnknown(props.sseSpecification) || isUnknown(enabled) || enabled === true) return [];
  return [`${type} sseSpecification.sseEnabled is ${show(enabled ?? null)}; set it to true (server-side encryption with KMS).`];
}

/**
 * The table's environment comes from its Environment tag (the tag rule makes it required). A table
 * without one is treated as production: the protective answer when in doubt.
 */
export function checkTableProductionProtection(
  type: string,
  props: Props,
  productionEnvironments: readonly string[] = DEFAULT_PRODUCTION_ENVIRONMENTS,
): string[] {
  if (type !== TABLE) return [];
  const tags = readTags(props.tags);
  // A tag not known during preview: judged at `pulumi up`.
  if (tags === "unknown" || (tags?.has("Environment") && tags.get("Environment") === undefined) || tags?.has(UNKNOWN)) return [];
  const environment = tags?.get("Environment");
  if (environment !== undefined && !productionEnvironments.includes(environment)) return [];
  const where = environment === undefined ? "a table without a known Environment tag (treated as production)" : `a ${environment} table`;
  const violations: string[] = [];
  const pitr = get(props, "pointInTimeRecoverySpecification", "pointInTimeRecoveryEnabled");
  if (!isUnknown(props.pointInTimeRecoverySpecification) && !isUnknown(pitr) && pitr !== true) {
    violations.push(
      `${type} is ${where}: pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled is ${show(pitr ?? null)}; it must be true.`,
    );
  }
  const protection = props.deletionProtectionEnabled;
  if (!isUnknown(protection) && protection !== true) {
    violations.push(`${type} is ${where}: deletionProtectionEnabled is ${show(protection ?? null)}; it must be true.`);
  }
  return violations;
}
