/**
 * Runs cfn-lint (AWS's CloudFormation linter, Python) on templates: one process for all files,
 * since it takes seconds to start.
 */
import { spawnSync } from "child_process";

export interface LintFinding {
  rule: string;
  level: string;
  message: string;
  file: string;
  line?: number;
}

/** The cfn-lint version, or undefined when it is not installed. */
export function cfnLintVersion(command = "cfn-lint"): string | undefined {
  const result = spawnSync(command, ["--version"], { encoding: "utf8" });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.trim();
}

/** Every finding (errors, warnings and informational) for the given templates. */
export function cfnLint(files: string[], command = "cfn-lint"): LintFinding[] {
  const result = spawnSync(command, ["--format", "json", "--", ...files], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  // Exit codes are bit flags for the levels found; anything that is not JSON is a crash.
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout || "[]");
  } catch {
    throw new Error(`cfn-lint exited ${result.status} without a JSON report:\n${result.stdout}\n${result.stderr}`);
  }
  return (
    parsed as Array<{
      Rule: { Id: string };
      Level: string;
      Message: string;
      Filename: string;
      Location?: { Start?: { LineNumber?: number } };
    }>
  ).map((f) => ({
    rule: f.Rule.Id,
    level: f.Level,
    message: f.Message,
    file: f.Filename,
    line: f.Location?.Start?.LineNumber,
  }));
}
