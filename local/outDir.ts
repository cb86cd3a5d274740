/**
 * The --out directory. A run replaces what an earlier run wrote there (no state leaks between
 * runs) but refuses to touch a non-empty directory it did not make, so a mistyped --out
 * cannot delete someone's files.
 */
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "../tools/cli";

const MARKER = ".thumbnail-pipeline-out";
const MANAGED = ["originals", "thumbnails", "records", "logs", "index.html"];

export interface OutDir {
  root: string;
  /** Absolute path for `relative` under the out directory, refusing paths that escape it. */
  file(...relative: string[]): string;
}

export function prepareOutDir(out: string): OutDir {
  const root = path.resolve(out);
  let entries: string[] | undefined;
  try {
    const stat = fs.statSync(root);
    if (!stat.isDirectory()) throw new UsageError(`--out ${out}: exists and is not a directory`);
    entries = fs.readdirSync(root);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new UsageError(`--out ${out}: cannot read it (${(err as Error).message})`);
  }
  if (entries && entries.length > 0 && !entries.includes(MARKER)) {
    throw new UsageError(`--out ${out}: is a non-empty directory that npm start did not create; name a new or empty directory`);
  }
  try {
    fs.mkdirSync(root, { recursive: true });
    for (const name of MANAGED) fs.rmSync(path.join(root, name), { recursive: true, force: true });
    fs.writeFileSync(path.join(root, MARKER), "Written by `npm start`; the next run replaces this directory's contents.\n");
  } catch (err) {
    throw new UsageError(`--out ${out}: cannot write there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return {
    root,
    file(...relative: string[]) {
      const target = path.resolve(root, ...relative.flatMap((r) => r.split("/")));
      if (target !== root && !target.startsWith(root + path.sep)) {
        throw new Error(`${relative.join("/")}: resolves outside the out directory ${root}`);
      }
      return target;
    },
  };
}

export function writeFileUnder(outDir: OutDir, relative: string, bytes: Buffer | string): string {
  const target = outDir.file(relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, bytes);
  return target;
}
