/**
 * Rules for S3 buckets: nothing public, encrypted at rest, reachable only over TLS.
 */
import { StackResource, Violation } from "./stackResource";
import { asList, field, get, isObject, isUnknown, parsePolicyDocument, Props, show } from "./values";

export const BUCKET = "aws-native:s3:Bucket";
export const BUCKET_POLICY = "aws-native:s3:BucketPolicy";

const PUBLIC_ACCESS_BLOCKS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/** Violations of "all four public-access blocks are on". */
export function checkBucketPublicAccessBlock(type: string, props: Props): string[] {
  if (type !== BUCKET) return [];
  const config = props.publicAccessBlockConfiguration;
  if (isUnknown(config)) return [];
  if (!isObject(config)) {
    return [`${type} has no publicAccessBlockConfiguration; set ${PUBLIC_ACCESS_BLOCKS.join(", ")} to true.`];
  }
  return PUBLIC_ACCESS_BLOCKS.filter((flag) => config[flag] !== true && !isUnknown(config[flag])).map(
    (flag) => `${type} publicAccessBlockConfiguration.${flag} is ${show(config[flag] ?? null)}; it must be true.`,
  );
}

const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

/** Violations of "default encryption is configured" (SSE-S3 or SSE-KMS). */
export function checkBucketEncryption(type: string, props: Props): string[] {
  if (type !== BUCKET) return [];
  const rules = get(props, "bucketEncryption", "serverSideEncryptionConfiguration");
  if (isUnknown(props.bucketEncryption) || isUnknown(rules)) return [];
  const list = asList(rules);
  if (list.length === 0) {
    return [`${type} has no bucketEncryption.serverSideEncryptionConfiguration; set a default of SSE-S3 (AES256) or SSE-KMS.`];
  }
  return list.flatMap((rule, index) => {
    const algorithm = get(rule, "serverSideEncryptionByDefault", "sseAlgorithm");
    if (isUnknown(algorithm) || (typeof algorithm === "string" && SSE_ALGORITHMS.includes(algorithm))) return [];
    return [
      `${type} serverSideEncryptionConfiguration[${index}] has sseAlgorithm ${show(algorithm ?? null)}; it must be one of ${SSE_ALGORITHMS.join(", ")}.`,
    ];
  });
}

/** Violations of "object ownership is BucketOwnerEnforced" (ACLs disabled, as AWS recommends). */
export function checkBucketAclsDisabled(type: string, props: Props): string[] {
  if (type !== BUCKET) return [];
  const rules = get(props, "ownershipControls", "rules");
  if (isUnknown(props.ownershipControls) || isUnknown(rules)) return [];
  const ownership = asList(rules).map((r) => get(r, "objectOwnership"));
  if (ownership.some(isUnknown) || ownership.includes("BucketOwnerEnforced")) return [];
  return [
    `${type} ownershipControls object ownership is ${show(ownership[0] ?? null)}; set BucketOwnerEnforced so ACLs cannot grant access.`,
  ];
}

function secureTransportIsFalse(condition: unknown): boolean | "unknown" {
  if (isUnknown(condition)) return "unknown";
  const bool = field(condition, "Bool");
  if (isUnknown(bool)) return "unknown";
  const value = field(bool, "aws:SecureTransport");
  if (isUnknown(value)) return "unknown";
  return asList(value).some((v) => v === false || v === "false");
}

function isEveryone(principal: unknown): boolean {
  return principal === "*" || asList(field(principal, "AWS")).includes("*");
}

function coversAllS3Actions(action: unknown): boolean {
  return asList(action).some((a) => a === "*" || a === "s3:*");
}

/**
 * Whether a bucket policy document denies every request without TLS on the bucket and its
 * objects: a Deny of s3:* for everyone when aws:SecureTransport is false. Unknown parts count
 * as satisfied (they are judged again at `pulumi up`).
 */
export function deniesInsecureTransport(document: Props, bucketName: string | undefined): boolean {
  const statements = field(document, "Statement");
  if (isUnknown(statements)) return true;
  return asList(statements).some((statement) => {
    if (!isObject(statement) || field(statement, "Effect") !== "Deny") return false;
    const principal = field(statement, "Principal");
    const action = field(statement, "Action");
    const resource = field(statement, "Resource");
    if (!isUnknown(principal) && !isEveryone(principal)) return false;
    if (!isUnknown(action) && !coversAllS3Actions(action)) return false;
    if (secureTransportIsFalse(field(statement, "Condition")) === false) return false;
    if (bucketName === undefined || isUnknown(resource)) return true;
    const resources = asList(resource);
    if (resources.some(isUnknown) || resources.includes("*")) return true;
    const arn = `arn:aws:s3:::${bucketName}`;
    const matches = (r: unknown, wanted: string) =>
      typeof r === "string" && (r === wanted || r.replace(/^arn:aws[-a-z]*:/, "arn:aws:") === wanted);
    return resources.some((r) => matches(r, arn)) && resources.some((r) => matches(r, `${arn}/*`));
  });
}

/** The bucket a bucket policy is attached to: same known name, or its `bucket` input came from it. */
function attachedTo(policy: StackResource, bucket: StackResource): boolean {
  const name = bucket.props.bucketName;
  const target = policy.props.bucket;
  if (typeof name === "string" && !isUnknown(name) && typeof target === "string" && !isUnknown(target)) {
    return name === target;
  }
  return (policy.propertyDependencies?.bucket ?? []).includes(bucket.urn);
}

/** Stack rule: every bucket has a bucket policy that denies requests made without TLS. */
export function checkBucketsDenyInsecureTransport(resources: StackResource[]): Violation[] {
  const policies = resources.filter((r) => r.type === BUCKET_POLICY);
  const violations: Violation[] = [];
  for (const bucket of resources.filter((r) => r.type === BUCKET)) {
    const name = typeof bucket.props.bucketName === "string" && !isUnknown(bucket.props.bucketName) ? bucket.props.bucketName : undefined;
    const attached = policies.filter((p) => attachedTo(p, bucket));
    if (attached.length === 0) {
      // A computed bucket name with no recorded dependency cannot be matched during preview.
      if (name === undefined && policies.some((p) => isUnknown(p.props.bucket))) continue;
      violations.push({
        urn: bucket.urn,
        message: `${BUCKET} "${bucket.name}" has no ${BUCKET_POLICY}; attach one that denies requests without TLS (aws:SecureTransport false).`,
      });
      continue;
    }
    const ok = attached.some((policy) => {
      const document = parsePolicyDocument(policy.props.policyDocument);
      return document === "unknown" || (isObject(document) && deniesInsecureTransport(document, name));
    });
    if (!ok) {
      violations.push({
        urn: bucket.urn,
        message:
          `${BUCKET} "${bucket.name}" has a bucket policy but none denies requests without TLS: add a Deny of s3:* for ` +
          `Principal "*" on the bucket and its objects with Condition Bool aws:SecureTransport "false".`,
      });
    }
  }
  return violations;
}
