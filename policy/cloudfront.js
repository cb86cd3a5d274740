"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DISTRIBUTION = void 0;
exports.checkDistributionHttpsOnly = checkDistributionHttpsOnly;
exports.checkDistributionOriginAccessControl = checkDistributionOriginAccessControl;
/**
 * Rules for CloudFront distributions: viewers only over HTTPS, and S3 origins reached through
 * an Origin Access Control, so the bucket behind can stay private.
 */
const values_1 = require("./values");
exports.DISTRIBUTION = "aws-native:cloudfront:Distribution";
const HTTPS_POLICIES = ["https-only", "redirect-to-https"];
/** Violations of "every cache behaviour refuses plain HTTP (https-only or redirect-to-https)". */
function checkDistributionHttpsOnly(type, props) {
    if (type !== exports.DISTRIBUTION)
        return [];
    const config = (0, values_1.get)(props, "distributionConfig");
    if ((0, values_1.isUnknown)(config))
        return [];
    const behaviours = [
        ["defaultCacheBehavior", (0, values_1.get)(config, "defaultCacheBehavior")],
        ...(0, values_1.asList)((0, values_1.get)(config, "cacheBehaviors")).map((b, i) => [`cacheBehaviors[${i}]`, b]),
    ];
    return behaviours.flatMap(([where, behaviour]) => {
        const policy = (0, values_1.get)(behaviour, "viewerProtocolPolicy");
        if ((0, values_1.isUnknown)(policy) || (typeof policy === "string" && HTTPS_POLICIES.includes(policy)))
            return [];
        return [`${type} ${where}.viewerProtocolPolicy is ${(0, values_1.show)(policy ?? null)}; it must be ${HTTPS_POLICIES.join(" or ")}.`];
    });
}
/** Violations of "S3 origins use an Origin Access Control" (not a legacy origin access identity, not a public bucket). */
function checkDistributionOriginAccessControl(type, props) {
    if (type !== exports.DISTRIBUTION)
        return [];
    const origins = (0, values_1.get)(props, "distributionConfig", "origins");
    if ((0, values_1.isUnknown)(origins))
        return [];
    return (0, values_1.asList)(origins).flatMap((origin, i) => {
        const domain = (0, values_1.get)(origin, "domainName");
        const s3 = (0, values_1.get)(origin, "s3OriginConfig") !== undefined || (typeof domain === "string" && /\.s3[.-]/.test(domain));
        if (!s3)
            return [];
        const oac = (0, values_1.get)(origin, "originAccessControlId");
        const oai = (0, values_1.get)(origin, "s3OriginConfig", "originAccessIdentity");
        const problems = [];
        if (!(0, values_1.isUnknown)(oac) && (typeof oac !== "string" || oac === "")) {
            problems.push(`${type} origins[${i}] (${(0, values_1.show)(domain ?? null)}) is an S3 origin without originAccessControlId; give it an Origin Access Control.`);
        }
        if (!(0, values_1.isUnknown)(oai) && typeof oai === "string" && oai !== "") {
            problems.push(`${type} origins[${i}] uses the legacy origin access identity ${(0, values_1.show)(oai)}; use an Origin Access Control instead.`);
        }
        return problems;
    });
}
