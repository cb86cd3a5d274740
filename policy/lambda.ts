/**
 * Rules for Lambda functions: a supported Node.js runtime, arm64, and logs that expire.
 */
import { StackResource, Violation } from "./stackResource";
import { asList, get, isUnknown, Props, show } from "./values";

export const FUNCTION = "aws-native:lambda:Function";
export const LOG_GROUP = "aws-native:logs:LogGroup";

/**
 * Node.js runtimes Lambda currently supports for creation and updates. nodejs20.x and older can no
 * longer be created; revisit when Lambda announces nodejs22.x's deprecation date.
 */
export const SUPPORTED_RUNTIMES = ["nodejs22.x", "nodejs24.x"] as const;

export function checkLambdaRuntime(type: string, props: Props): string[] {
  if (type !== FUNCTION || props.packageType === "Image") return [];
  const runtime = props.runtime;
  if (isUnknown(runtime) || (typeof runtime === "string" && (SUPPORTED_RUNTIMES as readonly string[]).includes(runtime))) return [];
  return [`${type} runtime is ${show(runtime ?? null)}; use one of ${SUPPORTED_RUNTIMES.join(", ")}.`];
}

/** arm64 (Graviton) costs 20% less per GB-second than x86_64 for this CPU-bound work. */
export function checkLambdaArchitecture(type: string, props: Props): string[] {
  if (type !== FUNCTION) return [];
  const architectures = props.architectures;
  if (isUnknown(architectures)) return [];
  const list = asList(architectures);
  if (list.length === 1 && (list[0] === "arm64" || isUnknown(list[0]))) return [];
  return [`${type} architectures is ${show(architectures ?? ["x86_64 (the default)"])}; set ["arm64"].`];
}

/** CloudWatch keeps log events forever unless the group says otherwise. */
export function checkLogGroupRetention(type: string, props: Props): string[] {
  if (type !== LOG_GROUP) return [];
  const days = props.retentionInDays;
  if (isUnknown(days) || (typeof days === "number" && days > 0)) return [];
  return [`${type} retentionInDays is ${show(days ?? null)}; set a retention so logs do not accumulate forever.`];
}

/** The log group a function writes to: its loggingConfig's, else Lambda's default. */
export function functionLogGroupName(props: Props): string | "unknown" | undefined {
  const configured = get(props, "loggingConfig", "logGroup");
  if (isUnknown(props.loggingConfig) || isUnknown(configured)) return "unknown";
  if (typeof configured === "string") return configured;
  if (isUnknown(props.functionName)) return "unknown";
  return typeof props.functionName === "string" ? `/aws/lambda/${props.functionName}` : undefined;
}

/**
 * Stack rule: every function's log group is declared in the stack with a retention. Otherwise
 * Lambda creates the group itself on first invocation, with no retention and no tags.
 */
export function checkFunctionsHaveManagedLogGroups(resources: StackResource[]): Violation[] {
  const groups = resources.filter((r) => r.type === LOG_GROUP);
  const violations: Violation[] = [];
  for (const fn of resources.filter((r) => r.type === FUNCTION)) {
    const name = functionLogGroupName(fn.props);
    if (name === "unknown") continue;
    if (name === undefined) {
      violations.push({
        urn: fn.urn,
        message: `${FUNCTION} "${fn.name}" has neither loggingConfig.logGroup nor a functionName, so Lambda will create its log group without retention; point loggingConfig.logGroup at a ${LOG_GROUP} of the stack.`,
      });
      continue;
    }
    const fromDependency = fn.propertyDependencies?.loggingConfig ?? [];
    const group = groups.find((g) => g.props.logGroupName === name) ?? groups.find((g) => fromDependency.includes(g.urn));
    if (!group) {
      violations.push({
        urn: fn.urn,
        message: `${FUNCTION} "${fn.name}" logs to ${show(name)}, which no ${LOG_GROUP} of this stack declares; declare it with retentionInDays.`,
      });
      continue;
    }
    const retention = checkLogGroupRetention(LOG_GROUP, group.props);
    if (retention.length > 0) {
      violations.push({ urn: fn.urn, message: `${FUNCTION} "${fn.name}" logs to ${show(name)}, but ${retention[0]}` });
    }
  }
  return violations;
}
