"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.BUCKET_POLICY = exports.BUCKET = void 0;
exports.checkBucketPublicAccessBlock = checkBucketPublicAccessBlock;
exports.checkBucketEncryption = checkBucketEncryption;
exports.checkBucketAclsDisabled = checkBucketAclsDisabled;
exports.deniesInsecureTransport = deniesInsecureTransport;
exports.checkBucketsDenyInsecureTransport = checkBucketsDenyInsecureTransport;
const values_1 = require("./values");
exports.BUCKET = "aws-native:s3:Bucket";
exports.BUCKET_POLICY = "aws-native:s3:BucketPolicy";
const PUBLIC_ACCESS_BLOCKS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
/** Violations of "all four public-access blocks are on". */
function checkBucketPublicAccessBlock(type, props) {
    if (type !== exports.BUCKET)
        return [];
    const config = props.publicAccessBlockConfiguration;
    if ((0, values_1.isUnknown)(config))
        return [];
    if (!(0, values_1.isObject)(config)) {
        return [`${type} has no publicAccessBlockConfiguration; set ${PUBLIC_ACCESS_BLOCKS.join(", ")} to true.`];
    }
    return PUBLIC_ACCESS_BLOCKS.filter((flag) => config[flag] !== true && !(0, values_1.isUnknown)(config[flag])).map((flag) => `${type} publicAccessBlockConfiguration.${flag} is ${(0, values_1.show)(config[flag] ?? null)}; it must be true.`);
}
const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];
/** Violations of "default encryption is configured" (SSE-S3 or SSE-KMS). */
function checkBucketEncryption(type, props) {
    if (type !== exports.BUCKET)
        return [];
    const rules = (0, values_1.get)(props, "bucketEncryption", "serverSideEncryptionConfiguration");
    if ((0, values_1.isUnknown)(props.bucketEncryption) || (0, values_1.isUnknown)(rules))
        return [];
    const list = (0, values_1.asList)(rules);
    if (list.length === 0) {
        return [`${type} has no bucketEncryption.serverSideEncryptionConfiguration; set a default of SSE-S3 (AES256) or SSE-KMS.`];
    }
    return list.flatMap((rule, index) => {
        const algorithm = (0, values_1.get)(rule, "serverSideEncryptionByDefault", "sseAlgorithm");
        if ((0, values_1.isUnknown)(algorithm) || (typeof algorithm === "string" && SSE_ALGORITHMS.includes(algorithm)))
            return [];
        return [
            `${type} serverSideEncryptionConfiguration[${index}] has sseAlgorithm ${(0, values_1.show)(algorithm ?? null)}; it must be one of ${SSE_ALGORITHMS.join(", ")}.`,
        ];
    });
}
/** Violations of "object ownership is BucketOwnerEnforced" (ACLs disabled, as AWS recommends). */
function checkBucketAclsDisabled(type, props) {
    if (type !== exports.BUCKET)
        return [];
    const rules = (0, values_1.get)(props, "ownershipControls", "rules");
    if ((0, values_1.isUnknown)(props.ownershipControls) || (0, values_1.isUnknown)(rules))
        return [];
    const ownership = (0, values_1.asList)(rules).map((r) => (0, values_1.get)(r, "objectOwnership"));
    if (ownership.some(values_1.isUnknown) || ownership.includes("BucketOwnerEnforced"))
        return [];
    return [
        `${type} ownershipControls object ownership is ${(0, values_1.show)(ownership[0] ?? null)}; set BucketOwnerEnforced so ACLs cannot grant access.`,
    ];
}
function secureTransportIsFalse(condition) {
    if ((0, values_1.isUnknown)(condition))
        return "unknown";
    const bool = (0, values_1.field)(condition, "Bool");
    if ((0, values_1.isUnknown)(bool))
        return "unknown";
    const value = (0, values_1.field)(bool, "aws:SecureTransport");
    if ((0, values_1.isUnknown)(value))
        return "unknown";
    return (0, values_1.asList)(value).some((v) => v === false || v === "false");
}
function isEveryone(principal) {
    return principal === "*" || (0, values_1.asList)((0, values_1.field)(principal, "AWS")).includes("*");
}
function coversAllS3Actions(action) {
    return (0, values_1.asList)(action).some((a) => a === "*" || a === "s3:*");
}
/**
 * Whether a bucket policy document denies every request without TLS on the bucket and its
 * objects: a Deny of s3:* for everyone when aws:SecureTransport is false. Unknown parts count
 * as satisfied (they are judged again at `pulumi up`).
 */
function deniesInsecureTransport(document, bucketName) {
    const statements = (0, values_1.field)(document, "Statement");
    if ((0, values_1.isUnknown)(statements))
        return true;
    return (0, values_1.asList)(statements).some((statement) => {
        if (!(0, values_1.isObject)(statement) || (0, values_1.field)(statement, "Effect") !== "Deny")
            return false;
        const principal = (0, values_1.field)(statement, "Principal");
        const action = (0, values_1.field)(statement, "Action");
        const resource = (0, values_1.field)(statement, "Resource");
        if (!(0, values_1.isUnknown)(principal) && !isEveryone(principal))
            return false;
        if (!(0, values_1.isUnknown)(action) && !coversAllS3Actions(action))
            return false;
        if (secureTransportIsFalse((0, values_1.field)(statement, "Condition")) === false)
            return false;
        if (bucketName === undefined || (0, values_1.isUnknown)(resource))
            return true;
        const resources = (0, values_1.asList)(resource);
        if (resources.some(values_1.isUnknown) || resources.includes("*"))
            return true;
        const arn = `arn:aws:s3:::${bucketName}`;
        const matches = (r, wanted) => typeof r === "string" && (r === wanted || r.replace(/^arn:aws[-a-z]*:/, "arn:aws:") === wanted);
        return resources.some((r) => matches(r, arn)) && resources.some((r) => matches(r, `${arn}/*`));
    });
}
/** The bucket a bucket policy is attached to: same known name, or its `bucket` input came from it. */
function attachedTo(policy, bucket) {
    const name = bucket.props.bucketName;
    const target = policy.props.bucket;
    if (typeof name === "string" && !(0, values_1.isUnknown)(name) && typeof target === "string" && !(0, values_1.isUnknown)(target)) {
        return name === target;
    }
    return (policy.propertyDependencies?.bucket ?? []).includes(bucket.urn);
}
/** Stack rule: every bucket has a bucket policy that denies requests made without TLS. */
function checkBucketsDenyInsecureTransport(resources) {
    const policies = resources.filter((r) => r.type === exports.BUCKET_POLICY);
    const violations = [];
    for (const bucket of resources.filter((r) => r.type === exports.BUCKET)) {
        const name = typeof bucket.props.bucketName === "string" && !(0, values_1.isUnknown)(bucket.props.bucketName) ? bucket.props.bucketName : undefined;
        const attached = policies.filter((p) => attachedTo(p, bucket));
        if (attached.length === 0) {
            // A computed bucket name with no recorded dependency cannot be matched during preview.
            if (name === undefined && policies.some((p) => (0, values_1.isUnknown)(p.props.bucket)))
                continue;
            violations.push({
                urn: bucket.urn,
                message: `${exports.BUCKET} "${bucket.name}" has no ${exports.BUCKET_POLICY}; attach one that denies requests without TLS (aws:SecureTransport false).`,
            });
            continue;
        }
        const ok = attached.some((policy) => {
            const document = (0, values_1.parsePolicyDocument)(policy.props.policyDocument);
            return document === "unknown" || ((0, values_1.isObject)(document) && deniesInsecureTransport(document, name));
        });
        if (!ok) {
            violations.push({
                urn: bucket.urn,
                message: `${exports.BUCKET} "${bucket.name}" has a bucket policy but none denies requests without TLS: add a Deny of s3:* for ` +
                    `Principal "*" on the bucket and its objects with Condition Bool aws:SecureTransport "false".`,
            });
        }
    }
    return violations;
}
