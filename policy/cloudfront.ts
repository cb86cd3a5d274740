/**
 * Rules for CloudFront distributions: viewers only over HTTPS, and S3 origins reached through
 * an Origin Access Control, so the bucket behind can stay private.
 */
import { asList, get, isUnknown, Props, show } from "./values";

export const DISTRIBUTION = "aws-native:cloudfront:Distribution";

const HTTPS_POLICIES = ["https-only", "redirect-to-https"];

/** Violations of "every cache behaviour refuses plain HTTP (https-only or redirect-to-https)". */
export function checkDistributionHttpsOnly(type: string, props: Props): string[] {
  if (type !== DISTRIBUTION) return [];
  const config = get(props, "distributionConfig");
  if (isUnknown(config)) return [];
  const behaviours: [string, unknown][] = [
    ["defaultCacheBehavior", get(config, "defaultCacheBehavior")],
    ...asList(get(config, "cacheBehaviors")).map((b, i): [string, unknown] => [`cacheBehaviors[${i}]`, b]),
  ];
  return behaviours.flatMap(([where, behaviour]) => {
    const policy = get(behaviour, "viewerProtocolPolicy");
    if (isUnknown(policy) || (typeof policy === "string" && HTTPS_POLICIES.includes(policy))) return [];
    return [`${type} ${where}.viewerProtocolPolicy is ${show(policy ?? null)}; it must be ${HTTPS_POLICIES.join(" or ")}.`];
  });
}

/** Violations of "S3 origins use an Origin Access Control" (not a legacy origin access identity, not a public bucket). */
export function checkDistributionOriginAccessControl(type: string, props: Props): string[] {
  if (type !== DISTRIBUTION) return [];
  const origins = get(props, "distributionConfig", "origins");
  if (isUnknown(origins)) return [];
  return asList(origins).flatMap((origin, i) => {
    const domain = get(origin, "domainName");
    const s3 = get(origin, "s3OriginConfig") !== undefined || (typeof domain === "string" && /\.s3[.-]/.test(domain));
    if (!s3) return [];
    const oac = get(origin, "originAccessControlId");
    const oai = get(origin, "s3OriginConfig", "originAccessIdentity");
    const problems: string[] = [];
    if (!isUnknown(oac) && (typeof oac !== "string" || oac === "")) {
      problems.push(
        `${type} origins[${i}] (${show(domain ?? null)}) is an S3 origin without originAccessControlId; give it an Origin Access Control.`,
      );
    }
    if (!isUnknown(oai) && typeof oai === "string" && oai !== "") {
      problems.push(`${type} origins[${i}] uses the legacy origin access identity ${show(oai)}; use an Origin Access Control instead.`);
    }
    return problems;
  });
}
