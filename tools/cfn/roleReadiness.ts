/**
 * The role-readiness wait (infra/compute/roleReadiness.ts) is a Pulumi dynamic resource: CloudFormation
 * has no such type, so the template leaves it out. Its dependents keep their dependency on the
 * role itself (the function's Role is a GetAtt of it). CloudFormation waits for nothing more:
 * the template header says so, for whoever deploys it.
 */
import type { LeftOutResource, RegisteredResource } from "./template";

/** Pulumi's type token for every dynamic resource (@pulumi/pulumi dynamic.Resource). */
export const DYNAMIC_RESOURCE_TYPE = "pulumi-nodejs:dynamic:Resource";

export function isRoleReadiness(resource: RegisteredResource): boolean {
  const inputs = resource.inputs;
  return resource.type === DYNAMIC_RESOURCE_TYPE && "roleArn" in inputs && "policyDigest" in inputs && "waitSeconds" in inputs;
}

export function leaveOutRoleReadiness(resource: RegisteredResource): LeftOutResource | undefined {
  if (!isRoleReadiness(resource)) return undefined;
  return {
    reason:
      `${resource.name} is the program's wait for the new execution role to propagate in IAM (a Pulumi dynamic resource). ` +
      'CloudFormation has no equivalent; should the function\'s create fail with "The role defined for the function cannot be assumed by Lambda", let the stack roll back and create it again.',
    // Nothing reads its outputs; a reference would fail synth by name.
    attributes: {},
  };
}
