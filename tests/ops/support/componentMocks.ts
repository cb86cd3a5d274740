/**
 * Helpers for specs that build one component alone (tools/harness/programUnderMocks.ts's
 * runComponents), with the harness's mock account and a fixed region.
 */
import * as pulumi from "@pulumi/pulumi";
import { MOCK_ACCOUNT_ID, runComponents, type ComponentResource } from "../../../tools/harness/programUnderMocks";

export const MOCK_ACCOUNT = MOCK_ACCOUNT_ID;
export const MOCK_REGION = "eu-west-1";

export function underMocks<T>(build: () => T, settle?: (built: T) => pulumi.Input<unknown>[]) {
  return runComponents(build, settle, MOCK_REGION);
}

/** Resolves an Output (under mocks every Output resolves). */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

export function ofType(resources: ComponentResource[], type: string): ComponentResource[] {
  return resources.filter((r) => r.type === type);
}
