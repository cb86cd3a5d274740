/**
 * Runs the pack's policies the way the policy engine does: resource policies per resource with
 * props behind @pulumi/policy's unknown-checking proxy, stack policies once over all resources.
 */
import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { policies } from "../../policy/policies";
import { UNKNOWN } from "../../policy/values";

export interface CheckedResource {
  type: string;
  name: string;
  urn: string;
  /** What a resource policy sees: the resource's inputs. */
  inputs: Record<string, unknown>;
  /** What a stack policy sees: the resource's outputs. */
  outputs: Record<string, unknown>;
}

export interface Finding {
  policy: string;
  level: string;
  urn?: string;
  message: string;
}

/** Values as the engine sends them to a policy: unknowns as the engine's sentinel string. */
export function engineShape(value: unknown): unknown {
  if (pulumi.isUnknown(value)) return UNKNOWN;
  if (Array.isArray(value)) return value.map(engineShape);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = engineShape(v);
    return out;
  }
  return value;
}

/** Runs every policy of the pack over the resources; `config` is the pack config by policy name. */
export async function runPack(resources: CheckedResource[], config: Record<string, Record<string, unknown>> = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const policy of policies) {
    const report = (message: string, urn?: string) =>
      findings.push({ policy: policy.name, level: String(policy.enforcementLevel), urn, message });
    if ("validateStack" in policy) {
      const stackResources = resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: unknownCheckingProxy(engineShape(r.outputs) as Record<string, unknown>),
        propertyDependencies: {},
      })) as unknown as PolicyResource[];
      await policy.validateStack(
        { resources: stackResources, getConfig: () => config[policy.name] ?? {} } as unknown as StackValidationArgs,
        report,
      );
      continue;
    }
    const validations = ([] as unknown[]).concat(policy.validateResource ?? []) as Array<
      (args: ResourceValidationArgs, report: (message: string) => void) => unknown
    >;
    for (const r of resources) {
      const args = {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: unknownCheckingProxy(engineShape(r.inputs)),
        getConfig: () => config[policy.name] ?? {},
      } as unknown as ResourceValidationArgs;
      for (const validate of validations) await validate(args, (message) => report(message, r.urn));
    }
  }
  return findings;
}
