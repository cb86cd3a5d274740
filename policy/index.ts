/**
 * The thumbnail pipeline's policy pack. Run it with a preview or an update:
 *
 *   pulumi preview --policy-pack policy
 *
 * (after `npm ci` in policy/). The rules and their enforcement levels are in policies.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("thumbnail-pipeline-guardrails", {
  description:
    "Guardrails of the thumbnail pipeline: nothing public, encrypted, TLS-only, least-privilege IAM, tagged, supported Lambda runtime, bounded logs, protected production data.",
  provider: "aws-native",
  policies,
});
