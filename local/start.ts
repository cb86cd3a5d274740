/**
 * Entry point of `npm start`. Exit codes: 0 the pipeline ran (FAILED images are results, not
 * errors); 2 bad arguments or unreadable input; 3 the machine cannot run it (e.g. a port in
 * use); 130 stopped by Ctrl-C before finishing; 1 anything unexpected. Errors are one line.
 */
// The SDK's notice that its 2027 releases will need Node 22 says nothing about this run; the
// function containers get the runtime's own environment and are not affected.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import * as path from "path";
import { parseArgs, USAGE, type StartOptions } from "./cli/args";
import { ExitCode } from "../tools/cli";
import { checkInputs } from "./inputs";
import type * as Pipeline from "./localPipeline";

/**
 * npm runs scripts in the package's root, not where the user typed the command; it passes
 * that directory as INIT_CWD. Relative paths mean what the user meant.
 */
function relativeToCaller(options: StartOptions): StartOptions {
  const base = process.env.INIT_CWD || process.cwd();
  return {
    ...options,
    inputs: options.inputs.map((input) => path.resolve(base, input)),
    out: path.resolve(base, options.out),
    report: options.report === undefined ? undefined : path.resolve(base, options.report),
  };
}

async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  let interrupted: (err: unknown) => boolean = () => false;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) {
      process.stderr.write("\nStopping now.\n");
      process.exit(ExitCode.Interrupted);
    }
    process.stderr.write("\nShutting down (Ctrl-C again to force)…\n");
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // An emulator that throws outside any request would otherwise kill the process before the
  // servers, containers and temporary directories are cleaned up.
  let crashed: unknown;
  const onCrash = (err: unknown) => {
    if (crashed) return;
    crashed = err;
    controller.abort();
  };
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  try {
    const options = relativeToCaller(parseArgs(argv));
    if (options.help) {
      process.stdout.write(USAGE + "\n");
      return ExitCode.Ok;
    }
    const inputs = options.inputs.length ? checkInputs(options) : undefined;
    // Loaded after the arguments and inputs are checked, so a mistake there is reported at once.
    const { Interrupted, runPipeline }: typeof Pipeline = await import("./localPipeline");
    interrupted = (err) => err instanceof Interrupted;
    await runPipeline(options, { stdout: process.stdout, stderr: process.stderr, signal: controller.signal }, { inputs });
    if (crashed) throw crashed;
    return ExitCode.Ok;
  } catch (caught) {
    const err = crashed ?? caught;
    if (!crashed && interrupted(err)) return ExitCode.Interrupted;
    const exitCode = (err as { exitCode?: number }).exitCode;
    if (typeof exitCode === "number") {
      process.stderr.write(`npm start: ${(err as Error).message}\n`);
      return exitCode;
    }
    const detail = process.env.DEBUG
      ? ((err as Error)?.stack ?? String(err))
      : `${(err as Error)?.message ?? err} (set DEBUG=1 for details)`;
    process.stderr.write(`npm start: unexpected error: ${detail}\n`);
    return ExitCode.Failed;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("uncaughtException", onCrash);
    process.off("unhandledRejection", onCrash);
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
