/**
 * Test helpers over the shared harness (tools/harness/programUnderMocks.ts): cached runs per stack
 * and small queries over what the program registered.
 */
import { runProgram, type ProgramRun, type RegisteredResource, type RunOptions } from "../../tools/harness/programUnderMocks";

export * from "../../tools/harness/programUnderMocks";

const cache = new Map<string, Promise<ProgramRun>>();

/**
 * The program's run for a stack with its committed config, shared by every spec in the process
 * (read-only: do not mutate what it returns).
 */
export function stackRun(stack: "dev" | "prod"): Promise<ProgramRun> {
  let run = cache.get(stack);
  if (!run) {
    run = runProgram({ stack });
    cache.set(stack, run);
  }
  return run;
}

/** A fresh run with overrides (not cached). */
export function runWith(options: RunOptions): Promise<ProgramRun> {
  return runProgram(options);
}

export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The single resource of `type` (whose name contains `nameContains`, when given). */
export function one(run: ProgramRun, type: string, nameContains = ""): RegisteredResource {
  const found = ofType(run, type).filter((r) => r.name.includes(nameContains));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type}${nameContains ? ` named *${nameContains}*` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
    );
  }
  return found[0];
}

export function byUrn(run: ProgramRun, urn: string): RegisteredResource {
  const found = run.resources.find((r) => r.urn === urn);
  if (!found) throw new Error(`no resource with urn ${urn}`);
  return found;
}

/** Custom (cloud) resources only. */
export function customResources(run: ProgramRun): RegisteredResource[] {
  return run.resources.filter((r) => r.custom);
}

export const STACKS = ["dev", "prod"] as const;
