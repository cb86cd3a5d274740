/**
 * The one naming convention: `<project>-<environment>-<purpose>` for logical (Pulumi) and
 * physical (AWS) names, and the derivation of bucket names, which must be known before the
 * buckets exist (the upload trigger's permission is scoped to the source bucket's ARN).
 */
import { createHash } from "crypto";

/** Lower-case letters, digits and single hyphens: safe in every AWS name we create. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
}

/** `<project>-<environment>-<purpose>`, e.g. `thumbnail-pipeline-prod-thumbnailer`. */
export function physicalName(project: string, environment: string, purpose: string): string {
  return `${slug(project)}-${slug(environment)}-${purpose}`;
}

/** Why `name` is not a valid general-purpose S3 bucket name, or undefined when it is. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "S3 bucket names must be 3–63 characters long";
  if (!/^[a-z0-9.-]+$/.test(name)) return "S3 bucket names may contain only lower-case letters, digits, dots and hyphens";
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return "S3 bucket names must begin and end with a letter or digit";
  if (name.includes("..")) return "S3 bucket names must not contain two adjacent dots";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "S3 bucket names must not look like an IP address";
  if (name.startsWith("xn--") || name.startsWith("sthree-") || name.startsWith("amzn-s3-demo-")) {
    return 'S3 bucket names must not start with "xn--", "sthree-" or "amzn-s3-demo-"';
  }
  if (/(-s3alias|--ol-s3|--x-s3|--table-s3|\.mrap)$/.test(name)) {
    return 'S3 bucket names must not end with "-s3alias", "--ol-s3", "--x-s3", "--table-s3" or ".mrap"';
  }
  if (name.includes(".")) {
    // Dots are legal but break virtual-hosted-style TLS (the wildcard certificate covers one label).
    return "bucket names with dots break HTTPS virtual-hosted access; use hyphens";
  }
  return undefined;
}

export interface BucketNameParts {
  project: string;
  stack: string;
  purpose: string;
  /** 12-digit AWS account id. */
  accountId: string;
  region: string;
}

const MAX_BUCKET_NAME = 63;

/**
 * `<project>-<stack>-<purpose>-<account>-<region>`: globally unique (account and region), stable
 * across deployments, and derivable before anything exists. When that exceeds 63 characters the
 * project-stack part is shortened and a hash of the full text keeps it unique. Account and
 * region are appended unchanged (they are valid as they are), so a template generator may pass
 * its own placeholders for them.
 */
export function deriveBucketName(parts: BucketNameParts): string {
  const suffix = `-${slug(parts.purpose)}-${parts.accountId}-${parts.region}`;
  let head = `${slug(parts.project)}-${slug(parts.stack)}`;
  const budget = MAX_BUCKET_NAME - suffix.length;
  if (head.length > budget) {
    const hash = createHash("sha256").update(`${parts.project}\n${parts.stack}`).digest("hex").slice(0, 8);
    head = `${head.slice(0, Math.max(1, budget - hash.length - 1)).replace(/-+$/, "")}-${hash}`;
  }
  return `${head}${suffix}`;
}

/** The stack's name for a bucket: the one set in config, or the derived one. */
export function stackBucketName(explicit: string | undefined, parts: BucketNameParts): string {
  return explicit !== undefined ? explicit : deriveBucketName(parts);
}

/** S3 bucket ARN from its name (bucket ARNs carry neither region nor account). */
export function bucketArn(partition: string, bucketName: string): string {
  return `arn:${partition}:s3:::${bucketName}`;
}

/** The log group Lambda would use by default; the stack creates it explicitly. */
export function functionLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** Purposes used in names, so every module spells them the same way. */
export const Purpose = {
  sourceBucket: "source",
  thumbnailBucket: "thumbnails",
  artifactBucket: "artifacts",
  table: "ImageMetadata",
  function: "thumbnailer",
  deadLetterQueue: "thumbnailer-dlq",
  cdn: "thumbnails-cdn",
} as const;
