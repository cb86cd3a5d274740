/**
 * Runs a monitoring component alone under Pulumi mocks and records what it registers, for
 * tests that need neither the whole program nor its config. Resource state echoes the inputs
 * plus the attributes AWS would return that the components read (ARNs).
 */
import * as pulumi from "@pulumi/pulumi";

export const MOCK_ACCOUNT = "123456789012";
export const MOCK_REGION = "eu-west-1";

export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  state: Record<string, any>;
}

function attributesFor(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case "aws-native:kms:Key":
      return { arn: `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT}:key/${name}`, keyId: name };
    case "aws-native:sns:Topic":
      return { topicArn: `arn:aws:sns:${MOCK_REGION}:${MOCK_ACCOUNT}:${inputs.topicName ?? name}` };
    case "aws-native:sns:Subscription":
      return { subscriptionArn: `arn:aws:sns:${MOCK_REGION}:${MOCK_ACCOUNT}:${name}:1` };
    case "aws-native:cloudwatch:Alarm":
      return { arn: `arn:aws:cloudwatch:${MOCK_REGION}:${MOCK_ACCOUNT}:alarm:${inputs.alarmName ?? name}` };
    default:
      return {};
  }
}

/** Resolves an Output (under mocks every Output resolves). */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/**
 * Builds components under fresh mocks and waits until the values in `settle` (e.g. the URNs
 * of the last resources created) have resolved.
 */
export async function underMocks<T>(
  build: () => T,
  settle: (built: T) => pulumi.Input<unknown>[] = () => [],
): Promise<{ built: T; resources: RegisteredResource[] }> {
  const resources: RegisteredResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const state = { ...args.inputs, ...attributesFor(args.type, args.name, args.inputs) };
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, state });
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    "thumbnail-pipeline",
    "ops-test",
    false,
  );
  const built = build();
  await Promise.all(settle(built).map((o) => valueOf(o)));
  // Registrations are answered asynchronously; let the last answers land.
  await new Promise((r) => setTimeout(r, 10));
  return { built, resources };
}

export function ofType(resources: RegisteredResource[], type: string): RegisteredResource[] {
  return resources.filter((r) => r.type === type);
}
