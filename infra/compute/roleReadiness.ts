/**
 * A bounded wait between an IAM role (with its inline policy) and the Lambda resources that
 * hand it to Lambda.
 *
 * Why: IAM is eventually consistent. Lambda's CreateFunction rejects a role it cannot assume yet
 * ("The role defined for the function cannot be assumed by Lambda", InvalidParameterValue), and
 * PutFunctionEventInvokeConfig checks at that call that the role may send to the on-failure
 * destination. aws-native creates through Cloud Control, which does not retry that error:
 * pulumi/pulumi-aws-native#148 (open since 2021; "still an issue" January 2025), the same with
 * Cloud Control in hashicorp/terraform-provider-awscc#221 and #172. CloudFormation's own Lambda
 * handler fails the same way (aws-samples/aws-ct-vpc-flowlogs#1: "Resource handler returned
 * message: The role defined for the function cannot be assumed by Lambda"). The handler source of
 * AWS::IAM::Role and AWS::Lambda::Function is not public (no aws-cloudformation-resource-
 * providers-iam or -lambda repository), so whether the role's create stabilises cannot be read;
 * pulumi/pulumi-aws-native#681 (2022) dropped an artificial delay from its own tests, yet #148
 * was reproduced after it. Propagation is "usually seconds", 10–30 s in reports
 * (hashicorp/terraform-provider-aws#6566). So: wait, once after the role is created and again
 * whenever its policy changes, and never in a preview or under test mocks.
 *
 * How: a Pulumi dynamic resource (pulumi.dynamic.Resource, served by the Node.js language host
 * that every `pulumi` CLI has: no provider plugin to download, unlike @pulumiverse/time's Sleep,
 * a Terraform-bridged provider whose plugin the CLI would fetch on first use). Pulumi calls
 * create/update only in `pulumi up`; a preview only diffs, and mocks call no provider at all.
 * The CloudFormation export leaves it out (tools/cfn/synth.ts says why in the template header).
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** Seconds to wait after the role or its policy changes (IAM propagation is seconds, rarely 30). */
export const ROLE_PROPAGATION_SECONDS = 30;
/** Upper bound, so a misconfiguration cannot stall an update. */
export const MAX_ROLE_PROPAGATION_SECONDS = 120;

export interface RoleReadinessState {
  roleArn: string;
  /** sha256 of the role's inline policies: a new policy is a new wait. */
  policyDigest: string;
  waitSeconds: number;
}

/** Sleeps, never longer than the bound. */
function pause(seconds: number): Promise<void> {
  const bounded = Math.min(Math.max(Number(seconds) || 0, 0), MAX_ROLE_PROPAGATION_SECONDS);
  return new Promise((resolve) => setTimeout(resolve, bounded * 1000));
}

/**
 * Pulumi serialises the provider into the stack state with what it captures: `pause` and the
 * bound, no modules.
 */
export const roleReadinessProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: RoleReadinessState, news: RoleReadinessState) {
    const changed = (["roleArn", "policyDigest", "waitSeconds"] as const).filter((k) => olds[k] !== news[k]);
    return { changes: changed.length > 0 };
  },
  async create(inputs: RoleReadinessState) {
    await pause(inputs.waitSeconds);
    return { id: `ready-${inputs.roleArn}`, outs: inputs };
  },
  async update(_id: string, olds: RoleReadinessState, news: RoleReadinessState) {
    // Only a new role or policy needs time to propagate; a changed wait alone does not.
    if (olds.roleArn !== news.roleArn || olds.policyDigest !== news.policyDigest) {
      await pause(news.waitSeconds);
    }
    return { outs: news };
  },
};

/** JSON with object keys sorted: the same policy gives the same text whatever order its keys arrive in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** sha256 of the role's inline policies, independent of key order (so only a real change waits again). */
export function policyDigestOf(policies: unknown): string {
  return createHash("sha256").update(canonicalJson(policies)).digest("hex");
}

export interface RoleReadinessArgs {
  roleArn: pulumi.Input<string>;
  /** The role's inline policies (as given to the role): their digest decides when to wait again. */
  policies: pulumi.Input<unknown>;
  waitSeconds?: number;
}

/** Depend on this (dependsOn) instead of the role, wherever Lambda checks the role at the call. */
export class RoleReadiness extends pulumi.dynamic.Resource {
  public readonly roleArn!: pulumi.Output<string>;
  public readonly policyDigest!: pulumi.Output<string>;

  constructor(name: string, args: RoleReadinessArgs, opts?: pulumi.CustomResourceOptions) {
    const waitSeconds = args.waitSeconds ?? ROLE_PROPAGATION_SECONDS;
    if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > MAX_ROLE_PROPAGATION_SECONDS) {
      throw new Error(
        `${name}: waitSeconds ${waitSeconds} is not allowed; it must be a whole number of seconds from 0 to ${MAX_ROLE_PROPAGATION_SECONDS}`,
      );
    }
    const policyDigest = pulumi.output(args.policies as pulumi.Input<object>).apply(policyDigestOf);
    super(roleReadinessProvider, name, { roleArn: args.roleArn, policyDigest, waitSeconds }, opts);
  }
}
