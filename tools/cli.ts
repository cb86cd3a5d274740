/**
 * What every command of this project (npm start, synth, fuzz, failures, redrive, preflight)
 * shares: its exit codes, the errors it reports as one line instead of a stack trace, and
 * option parsing whose mistakes name the option, the value and the rule.
 */
import { parseArgs, type ParseArgsConfig } from "util";

export const ExitCode = {
  Ok: 0,
  /** Something failed on the way (or, for checks and fuzzing, something was found). */
  Failed: 1,
  /** The user must fix something first: arguments, input, missing stack outputs, credentials. */
  Usage: 2,
  /** The machine is not in a state to run (e.g. a port in use). */
  Environment: 3,
  /** 128 + SIGINT, as shells report a process stopped by Ctrl-C. */
  Interrupted: 130,
} as const;

/** A problem the user can fix (exit code 2); printed without a stack trace. */
export class UsageError extends Error {
  readonly exitCode = ExitCode.Usage;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The machine cannot run the command as it is (exit code 3); printed without a stack trace. */
export class EnvironmentError extends Error {
  readonly exitCode = ExitCode.Environment;
  constructor(message: string) {
    super(message);
    this.name = "EnvironmentError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `--name value` options, strictly: an unknown option or a missing value is a UsageError followed by `usage`. */
export function parseOptions<const O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
}

/** A whole-number option value, at least `min`; `unit` names what it counts in the error ("records"). */
export function integerOption(raw: string, flag: string, min: number, unit?: string): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag} ${raw}: must be a whole number${unit ? ` of ${unit}` : ""}, at least ${min}`);
  }
  return n;
}

/** The exit code for an error that escaped a command's main, after printing it. */
export function reportError(err: unknown, print: (line: string) => void = console.error): number {
  if (err instanceof UsageError || err instanceof EnvironmentError) {
    print(`error: ${err.message}`);
    return err.exitCode;
  }
  print(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return ExitCode.Failed;
}

/** Runs a command's main with the process's arguments and exits with its code. */
export function runCli(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => process.exit(reportError(err)),
  );
}
