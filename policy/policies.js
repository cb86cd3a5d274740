"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.policies = void 0;
exports.toStackResource = toStackResource;
const dynamodb_1 = require("./dynamodb");
const iam_1 = require("./iam");
const lambda_1 = require("./lambda");
const resourcePolicies_1 = require("./resourcePolicies");
const s3_1 = require("./s3");
const cloudfront_1 = require("./cloudfront");
const tags_1 = require("./tags");
const values_1 = require("./values");
function validateWith(check) {
    return (args, reportViolation) => {
        for (const message of check(args.type, (0, values_1.rawProps)(args.props), args))
            reportViolation(message);
    };
}
/** A stack resource as the rules see it: raw props and dependencies by URN. */
function toStackResource(resource) {
    const propertyDependencies = {};
    for (const [key, deps] of Object.entries(resource.propertyDependencies ?? {})) {
        propertyDependencies[key] = deps.map((d) => d.urn);
    }
    return { type: resource.type, name: resource.name, urn: resource.urn, props: (0, values_1.rawProps)(resource.props), propertyDependencies };
}
function validateStackWith(check) {
    return (args, reportViolation) => {
        for (const { message, urn } of check(args.resources.map(toStackResource)))
            reportViolation(message, urn);
    };
}
const MANDATORY = "mandatory";
const ADVISORY = "advisory";
exports.policies = [
    {
        name: "s3-bucket-public-access-blocked",
        description: "S3 buckets turn on all four public-access blocks.",
        enforcementLevel: MANDATORY,
        severity: "critical",
        validateResource: validateWith(s3_1.checkBucketPublicAccessBlock),
    },
    {
        name: "s3-bucket-encrypted",
        description: "S3 buckets set default encryption (SSE-S3 or SSE-KMS).",
        enforcementLevel: MANDATORY,
        severity: "high",
        validateResource: validateWith(s3_1.checkBucketEncryption),
    },
    {
        name: "s3-bucket-tls-only",
        description: "Every S3 bucket has a bucket policy denying requests made without TLS (aws:SecureTransport false).",
        enforcementLevel: MANDATORY,
        severity: "high",
        validateStack: validateStackWith(s3_1.checkBucketsDenyInsecureTransport),
    },
    {
        name: "s3-bucket-acls-disabled",
        description: "S3 buckets use BucketOwnerEnforced object ownership, so ACLs cannot grant access.",
        enforcementLevel: ADVISORY,
        severity: "medium",
        validateResource: validateWith(s3_1.checkBucketAclsDisabled),
    },
    {
        name: "cloudfront-https-only",
        description: "CloudFront distributions serve viewers over HTTPS only (https-only or redirect-to-https).",
        enforcementLevel: MANDATORY,
        severity: "high",
        validateResource: validateWith(cloudfront_1.checkDistributionHttpsOnly),
    },
    {
        name: "cloudfront-s3-origin-access-control",
        description: "CloudFront reaches S3 origins through an Origin Access Control, so the bucket stays private.",
        enforcementLevel: MANDATORY,
        severity: "high",
        validateResource: validateWith(cloudfront_1.checkDistributionOriginAccessControl),
    },
    {
        name: "iam-least-privilege",
        description: 'IAM policy documents allow no wildcard action and no "*" resource (except actions AWS authorizes only on "*"), and trust policies name their principals.',
        enforcementLevel: MANDATORY,
        severity: "critical",
        validateResource: validateWith(iam_1.checkIamLeastPrivilege),
    },
    {
        name: "resource-policies-not-public",
        description: 'Resource policies (bucket, topic, queue, key policies; Lambda permissions) allow nothing to every principal ("*") without a condition on the caller, and Lambda permissions for AWS services name their source.',
        enforcementLevel: MANDATORY,
        severity: "critical",
        validateResource: validateWith(resourcePolicies_1.checkResourcePolicyNotPublic),
    },
    {
        name: "required-tags",
        description: "Every taggable resource carries the Project, Environment and ManagedBy tags.",
        enforcementLevel: MANDATORY,
        severity: "medium",
        validateResource: validateWith(tags_1.checkRequiredTags),
    },
    {
        name: "lambda-supported-runtime",
        description: "Lambda functions run on a supported Node.js runtime (nodejs22.x or nodejs24.x).",
        enforcementLevel: MANDATORY,
        severity: "high",
        validateResource: validateWith(lambda_1.checkLambdaRuntime),
    },
    {
        name: "lambda-arm64",
        description: "Lambda functions run on arm64 (Graviton), 20% cheaper per GB-second than x86_64.",
        enforcementLevel: ADVISORY,
        severity: "low",
        validateResource: validateWith(lambda_1.checkLambdaArchitecture),
    },
    {
        name: "log-group-retention",
        description: "CloudWatch log groups set a retention.",
        enforcementLevel: MANDATORY,
        severity: "medium",
        validateResource: validateWith(lambda_1.checkLogGroupRetention),
    },
    {
        name: "lambda-managed-log-group",
        description: "Every Lambda function logs to a log group declared in the stack (so it has a retention).",
        enforcementLevel: MANDATORY,
        severity: "medium",
        validateStack: validateStackWith(lambda_1.checkFunctionsHaveManagedLogGroups),
    },
    {
        name: "dynamodb-encrypted",
        description: "DynamoDB tables enable server-side encryption with KMS (sseSpecification.sseEnabled).",
        enforcementLevel: MANDATORY,
        severity: "high",
        validateResource: validateWith(dynamodb_1.checkTableEncryption),
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
                    default: dynamodb_1.DEFAULT_PRODUCTION_ENVIRONMENTS,
                    description: "Values of the Environment tag that mark a production table.",
                },
            },
        },
        validateResource: validateWith((type, props, args) => (0, dynamodb_1.checkTableProductionProtection)(type, props, args.getConfig().productionEnvironments ?? dynamodb_1.DEFAULT_PRODUCTION_ENVIRONMENTS)),
    },
];
