"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The thumbnail pipeline's policy pack. Run it with a preview or an update:
 *
 *   pulumi preview --policy-pack policy
 *
 * (after `npm ci` in policy/). The rules and their enforcement levels are in policies.ts.
 */
const policy_1 = require("@pulumi/policy");
const policies_1 = require("./policies");
new policy_1.PolicyPack("thumbnail-pipeline-guardrails", {
    description: "Guardrails of the thumbnail pipeline: nothing public, encrypted, TLS-only, least-privilege IAM, tagged, supported Lambda runtime, bounded logs, protected production data.",
    provider: "aws-native",
    policies: policies_1.policies,
});
