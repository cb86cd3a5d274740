/**
 * Synth refuses to write a template it cannot make faithful. Every refusal names the Pulumi
 * resource (or output, or parameter) and the property path, and says what rule was broken.
 */
export class SynthError extends Error {
  constructor(
    /** The Pulumi resource name, stack output or template section the problem is in. */
    readonly subject: string,
    /** Dotted property path inside the subject ("" for the subject itself). */
    readonly propertyPath: string,
    readonly problem: string,
  ) {
    super(`${subject}${propertyPath ? ` (property ${propertyPath})` : ""}: ${problem}`);
    this.name = "SynthError";
  }
}

export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}
