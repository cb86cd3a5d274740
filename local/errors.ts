/**
 * Errors `npm start` reports as one line and a distinct exit code, instead of a stack trace.
 */

/** Bad arguments or input the user can fix: exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The machine is not in a state to run (e.g. a port in use): exit code 3. */
export class EnvironmentError extends Error {
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = "EnvironmentError";
  }
}

export const EXIT_OK = 0;
export const EXIT_UNEXPECTED = 1;
/** 128 + SIGINT, as shells report a process stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;
