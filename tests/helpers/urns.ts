/**
 * The URNs the Pulumi engine gives each resource of a stack. A resource's URN is its identity in
 * the state: change its type token, its name or any ancestor's type and `pulumi up` deletes the
 * old resource and creates a new one — for a bucket or table, an empty one.
 *
 * The mock monitor builds URNs from the immediate parent's type only; the engine qualifies a
 * type with every ancestor's type except the root Stack's. This module rebuilds the engine's
 * form from the registered (type, name, parent) chain, so the committed lists match real state.
 *
 * Regenerate the committed lists (a deliberate act, reviewed in the diff):
 *   npx ts-node --transpile-only tests/helpers/urns.ts --write
 */
import * as fs from "fs";
import * as path from "path";
import { STACKS, stackRun, type ProgramRun, type RegisteredResource } from "./program";

const ROOT_TYPE = "pulumi:pulumi:Stack";
export const URN_LIST_DIR = path.join(__dirname, "..", "infra", "urns");

export function urnListFile(stack: string): string {
  return path.join(URN_LIST_DIR, `${stack}.txt`);
}

/** Every resource's engine URN, sorted. */
export function engineUrns(run: ProgramRun): string[] {
  const byMockUrn = new Map(run.resources.map((r) => [r.urn, r]));
  const qualifiedType = (r: RegisteredResource): string => {
    const parent = r.parent ? byMockUrn.get(r.parent) : undefined;
    if (!parent || parent.type === ROOT_TYPE) return r.type;
    return `${qualifiedType(parent)}$${r.type}`;
  };
  return run.resources.map((r) => `urn:pulumi:${run.stack}::${run.project}::${qualifiedType(r)}::${r.name}`).sort();
}

export function readUrnList(stack: string): string[] {
  return fs
    .readFileSync(urnListFile(stack), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith("#"));
}

const HEADER = [
  "# Every URN this stack's program registers (engine form). tests/infra/urns.spec.ts fails when",
  "# one changes: a changed URN makes `pulumi up` replace the resource. Edit only on purpose, with",
  "# `aliases` for a rename; regenerate with: npx ts-node --transpile-only tests/helpers/urns.ts --write",
];

async function writeLists(): Promise<void> {
  fs.mkdirSync(URN_LIST_DIR, { recursive: true });
  for (const stack of STACKS) {
    const urns = engineUrns(await stackRun(stack));
    fs.writeFileSync(urnListFile(stack), [...HEADER, ...urns, ""].join("\n"));
    console.log(`${path.relative(process.cwd(), urnListFile(stack))}: ${urns.length} URNs`);
  }
}

if (require.main === module) {
  if (!process.argv.includes("--write")) {
    console.error("usage: ts-node tests/helpers/urns.ts --write   (rewrites tests/infra/urns/<stack>.txt)");
    process.exit(2);
  }
  writeLists().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
