/**
 * The images a run uploads: files named on the command line (key = file name) and every file
 * under named directories (key = path relative to the directory, with '/').
 */
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "../tools/cli";

export interface InputFile {
  /** The object key it is uploaded under. */
  key: string;
  file: string;
}

function unreadable(input: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
  return new UsageError(`--input ${input}: cannot read it (${why})`);
}

function walk(directory: string, input: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(directory, { withFileTypes: true });
  } catch (err) {
    throw unreadable(input, err);
  }
  const files: string[] = [];
  for (const entry of entries) {
    // Dotfiles are editor and OS litter (.DS_Store), not uploads.
    if (entry.name.startsWith(".")) continue;
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...walk(full, input));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}

/** Key of a file under an input directory. */
export function keyFor(directory: string, file: string): string {
  return path.relative(directory, file).split(path.sep).join("/");
}

export function resolveInputs(inputs: string[]): { files: InputFile[]; directories: string[] } {
  const files: InputFile[] = [];
  const directories: string[] = [];
  for (const input of inputs) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch (err) {
      throw unreadable(input, err);
    }
    if (stat.isDirectory()) {
      const directory = path.resolve(input);
      directories.push(directory);
      for (const file of walk(directory, input)) files.push({ key: keyFor(directory, file), file });
    } else {
      try {
        fs.accessSync(input, fs.constants.R_OK);
      } catch (err) {
        throw unreadable(input, err);
      }
      files.push({ key: path.basename(input), file: path.resolve(input) });
    }
  }
  const seen = new Map<string, string>();
  for (const { key, file } of files) {
    const other = seen.get(key);
    if (other && other !== file) throw new UsageError(`--input: ${other} and ${file} would both upload as key "${key}"; rename one`);
    seen.set(key, file);
  }
  return { files: files.filter((f, i) => files.findIndex((g) => g.file === f.file) === i), directories };
}

export type CheckedInputs = ReturnType<typeof resolveInputs>;

/**
 * The --input files, with every rule about them checked. Cheap and free of side effects, so
 * the entry point runs it before loading anything heavy.
 */
export function checkInputs(options: { inputs: string[]; watch: boolean }): CheckedInputs {
  const resolved = resolveInputs(options.inputs);
  if (options.watch && resolved.directories.length === 0) {
    throw new UsageError(`--watch: needs a directory among --input ${options.inputs.join(" ")} to watch`);
  }
  if (resolved.files.length === 0 && !options.watch) {
    throw new UsageError(`--input ${options.inputs.join(" ")}: holds no files to process`);
  }
  return resolved;
}
