"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEFAULT_PRODUCTION_ENVIRONMENTS = exports.TABLE = void 0;
exports.checkTableEncryption = checkTableEncryption;
exports.checkTableProductionProtection = checkTableProductionProtection;
/**
 * Rules for DynamoDB tables: encrypted at rest with a KMS key, and in production recoverable
 * (point-in-time recovery) and protected from deletion.
 */
const tags_1 = require("./tags");
const values_1 = require("./values");
exports.TABLE = "aws-native:dynamodb:Table";
/** Environments whose tables must have PITR and deletion protection, unless the pack is configured otherwise. */
exports.DEFAULT_PRODUCTION_ENVIRONMENTS = ["prod"];
/**
 * DynamoDB always encrypts at rest; sseSpecification.sseEnabled = true moves it to a KMS key the
 * account can audit in CloudTrail and control (AWS managed or customer managed).
 */
function checkTableEncryption(type, props) {
    if (type !== exports.TABLE)
        return [];
    const enabled = (0, values_1.get)(props, "sseSpecification", "sseEnabled");
    if ((0, values_1.isUnknown)(props.sseSpecification) || (0, values_1.isUnknown)(enabled) || enabled === true)
        return [];
    return [`${type} sseSpecification.sseEnabled is ${(0, values_1.show)(enabled ?? null)}; set it to true (server-side encryption with KMS).`];
}
/**
 * The table's environment comes from its Environment tag (the tag rule makes it required). A table
 * without one is treated as production: the protective answer when in doubt.
 */
function checkTableProductionProtection(type, props, productionEnvironments = exports.DEFAULT_PRODUCTION_ENVIRONMENTS) {
    if (type !== exports.TABLE)
        return [];
    const tags = (0, tags_1.readTags)(props.tags);
    // A tag not known during preview: judged at `pulumi up`.
    if (tags === "unknown" || (tags?.has("Environment") && tags.get("Environment") === undefined) || tags?.has(values_1.UNKNOWN))
        return [];
    const environment = tags?.get("Environment");
    if (environment !== undefined && !productionEnvironments.includes(environment))
        return [];
    const where = environment === undefined ? "a table without a known Environment tag (treated as production)" : `a ${environment} table`;
    const violations = [];
    const pitr = (0, values_1.get)(props, "pointInTimeRecoverySpecification", "pointInTimeRecoveryEnabled");
    if (!(0, values_1.isUnknown)(props.pointInTimeRecoverySpecification) && !(0, values_1.isUnknown)(pitr) && pitr !== true) {
        violations.push(`${type} is ${where}: pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled is ${(0, values_1.show)(pitr ?? null)}; it must be true.`);
    }
    const protection = props.deletionProtectionEnabled;
    if (!(0, values_1.isUnknown)(protection) && protection !== true) {
        violations.push(`${type} is ${where}: deletionProtectionEnabled is ${(0, values_1.show)(protection ?? null)}; it must be true.`);
    }
    return violations;
}
