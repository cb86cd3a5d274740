/**
 * The pack's policies: each rule's plain function (s3.ts, iam.ts, tags.ts, lambda.ts,
 * dynamodb.ts) wired to @pulumi/policy with a deliberate enforcement level.
 *
 * mandatory — a violation fails `pulumi preview`/`pulumi up`: exposure of data, privilege beyond
 *   need, loss of production data, an unsupported runtime, and costs that grow without bound or
 *   cannot be attributed afterwards.
 * advisory — reported, never blocking: cost or hygiene choices a team may knowingly override.
 *
 * This module imports only types from @pulumi/policy, so tests can run the validators without
 * starting a policy server; index.ts builds the PolicyPack from `policies`.
 */
import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { checkTableEncryption, checkTableProductionProtection, DEFAULT_PRODUCTION_ENVIRONMENTS } from "./dynamodb";
import { checkIamLeastPrivilege } from "./iam";
import { checkFunctionsHaveManagedLogGroups, checkLambdaArchitecture, checkLambdaRuntime, checkLogGroupRetention } from "./lambda";
import { checkResourcePolicyNotPublic } from "./resourcePolicies";
import { checkBucketAclsDisabled, checkBucketEncryption, checkBucketPublicAccessBlock, checkBucketsDenyInsecureTransport } from "./s3";
import { checkDistributionHttpsOnly, checkDistributionOriginAccessControl } from "./cloudfront";
import { StackResource, Violation } from "./stackResource";
import { checkRequiredTags } from "./tags";
import { Props, rawProps } from "./values";

type ResourceCheck = (type: string, props: Props, args: ResourceValidationArgs) => string[];
type StackCheck = (resources: StackResource[]) => Violation[];

function validateWith(check: ResourceCheck) {
  return (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
    for (const message of check(args.type, rawProps(args.props), args)) reportViolation(message);
  };
}

/** A stack resource as the rules see it: raw props and dependencies by URN. */
export function toStackResource(resource: PolicyResource): StackResource {
  const propertyDependencies: Record<string, string[]> = {};
  for (const [key, deps] of Object.entries(resource.propertyDependencies ?? {})) {
    propertyDependencies[key] = deps.map((d) => d.urn);
  }
  return { type: resource.type, name: resource.name, urn: resource.urn, props: rawProps(resource.props), propertyDependencies };
}

function validateStackWith(check: StackCheck) {
  return (args: StackValidationArgs, reportViolation: ReportViolation): void => {
    for (const { message, urn } of check(args.resources.map(toStackResource))) reportViolation(message, urn);
  };
}

const MANDATORY: EnforcementLevel = "mandatory";
const ADVISORY: EnforcementLevel = "advisory";

export const policies: Array<ResourceValidationPolicy | StackValidationPolicy> = [
  {
    name: "s3-bucket-public-access-blocked",
    description: "S3 buckets turn on all four public-access blocks.",
    enforcementLevel: MANDATORY,
    severity: "critical",
    validateResource: validateWith(checkBucketPublicAccessBlock),
  },
  {
    name: "s3-bucket-encrypted",
    description: "S3 buckets set default encryption (SSE-S3 or SSE-KMS).",
    enforcementLevel: MANDATORY,
    severity: "high",
    validateResource: validateWith(checkBucketEncryption),
  },
  {
    name: "s3-bucket-tls-only",
    description: "Every S3 bucket has a bucket policy denying requests made without TLS (aws:SecureTransport false).",
    enforcementLevel: MANDATORY,
    severity: "high",
    validateStack: validateStackWith(checkBucketsDenyInsecureTransport),
  },
  {
    name: "s3-bucket-acls-disabled",
    description: "S3 buckets use BucketOwnerEnforced object ownership, so ACLs cannot grant access.",
    enforcementLevel: ADVISORY,
    severity: "medium",
    validateResource: validateWith(checkBucketAclsDisabled),
  },
  {
    name: "cloudfront-https-only",
    description: "CloudFront distributions serve viewers over HTTPS only (https-only or redirect-to-https).",
    enforcementLevel: MANDATORY,
    severity: "high",
    validateResource: validateWith(checkDistributionHttpsOnly),
  },
  {
    name: "cloudfront-s3-origin-access-control",
    description: "CloudFront reaches S3 origins through an Origin Access Control, so the bucket stays private.",
    enforcementLevel: MANDATORY,
    severity: "high",
    validateResource: validateWith(checkDistributionOriginAccessControl),
  },
  {
    name: "iam-least-privilege",
    description:
      'IAM policy documents allow no wildcard action and no "*" resource (except actions AWS authorizes only on "*"), and trust policies name their principals.',
    enforcementLevel: MANDATORY,
    severity: "critical",
    validateResource: validateWith(checkIamLeastPrivilege),
  },
  {
    name: "resource-policies-not-public",
    description:
      'Resource policies (bucket, topic, queue, key policies; Lambda permissions) allow nothing to every principal ("*") without a condition on the caller, and Lambda permissions for AWS services name their source.',
    enforcementLevel: MANDATORY,
    severity: "critical",
    validateResource: validateWith(checkResourcePolicyNotPublic),
  },
  {
    name: "required-tags",
    description: "Every taggable resource carries the Project, Environment and ManagedBy tags.",
    enforcementLevel: MANDATORY,
    severity: "medium",
    validateResource: validateWith(checkRequiredTags),
  },
  {
    name: "lambda-supported-runtime",
    description: "Lambda functions run on a supported Node.js runtime (nodejs22.x or nodejs24.x).",
    enforcementLevel: MANDATORY,
    severity: "high",
    validateResource: validateWith(checkLambdaRuntime),
  },
  {
    name: "lambda-arm64",
    description: "Lambda functions run on arm64 (Graviton), 20% cheaper per GB-second than x86_64.",
    enforcementLevel: ADVISORY,
    severity: "low",
    validateResource: validateWith(checkLambdaArchitecture),
  },
  {
    name: "log-group-retention",
    description: "CloudWatch log groups set a retention.",
    enforcementLevel: MANDATORY,
    severity: "medium",
    validateResource: validateWith(checkLogGroupRetention),
  },
  {
    name: "lambda-managed-log-group",
    description: "Every Lambda function logs to a log group declared in the stack (so it has a retention).",
    enforcementLevel: MANDATORY,
    severity: "medium",
    validateStack: validateStackWith(checkFunctionsHaveManagedLogGroups),
  },
  {
    name: "dynamodb-encrypted",
    description: "DynamoDB tables enable server-side encryption with KMS (sseSpecification.sseEnabled).",
    enforcementLevel: MANDATORY,
    severity: "high",
    validateResource: validateWith(checkTableEncryption),
  },
  {
    name: "dynamodb-production-protection",
    description: "DynamoDB tables of production environments enable point-in-time recovery and deletion protection.",
    enforcementLevel: MANDATORY,
    severity: "high",
    configSchema: {
      properties: {
        productionEnvironments: {
          type: "array",
          items: { type: "string" },
          default: DEFAULT_PRODUCTION_ENVIRONMENTS,
          description: "Values of the Environment tag that mark a production table.",
        },
      },
    },
    validateResource: validateWith((type, props, args) =>
      checkTableProductionProtection(
        type,
        props,
        args.getConfig<{ productionEnvironments?: string[] }>().productionEnvironments ?? DEFAULT_PRODUCTION_ENVIRONMENTS,
      ),
    ),
  },
];
