/** What the stack-wide rules see of each resource: enough to relate resources to each other. */
export interface StackResource {
  type: string;
  /** The Pulumi resource name (the last URN segment). */
  name: string;
  urn: string;
  /** Inputs, or during a stack check the resource's outputs (same camelCase names). */
  props: Record<string, unknown>;
  /** URNs each input property was computed from, when known (matches resources whose names are computed). */
  propertyDependencies?: Record<string, string[]>;
}

/** A violation of a stack-wide rule, pinned to the resource at fault. */
export interface Violation {
  message: string;
  urn?: string;
}
