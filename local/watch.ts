/** --watch: notices files added to, changed in or removed from the input directories. */
import * as fs from "fs";
import * as path from "path";
import { keyFor, type InputFile } from "./inputs";

/**
 * Calls `onFile` for files that appear or change under `directories`, once each has stopped
 * growing, and `onRemoved` for files seen before that are gone.
 */
export function watchDirectories(
  directories: string[],
  onFile: (input: InputFile) => void,
  signal: AbortSignal,
  onRemoved: (input: InputFile) => void = () => {},
): void {
  const seen = new Map<string, string>();
  const settling = new Map<string, NodeJS.Timeout>();
  for (const directory of directories) {
    for (const file of listFiles(directory)) seen.set(file, fingerprint(file));
    const watcher = fs.watch(directory, { recursive: true }, (_event, name) => {
      if (!name) return;
      const file = path.join(directory, name.toString());
      if (path.basename(file).startsWith(".")) return;
      clearTimeout(settling.get(file));
      settling.set(
        file,
        setTimeout(() => {
          settling.delete(file);
          const print = fingerprint(file);
          if (!print) {
            if (seen.delete(file)) onRemoved({ key: keyFor(directory, file), file });
            return;
          }
          if (seen.get(file) === print) return;
          seen.set(file, print);
          onFile({ key: keyFor(directory, file), file });
        }, 300),
      );
    });
    signal.addEventListener("abort", () => {
      watcher.close();
      for (const timer of settling.values()) clearTimeout(timer);
    });
  }
}

function listFiles(directory: string): string[] {
  return fs
    .readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => path.join((d as fs.Dirent & { parentPath?: string; path?: string }).parentPath ?? (d as { path: string }).path, d.name));
}

function fingerprint(file: string): string {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? `${stat.size}:${stat.mtimeMs}` : "";
  } catch {
    return "";
  }
}
