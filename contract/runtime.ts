/**
 * How Lambda runs the bundle: the stack deploys the function with these, `npm start` runs the
 * bundle the same way, preflight asks the region about them, and function/build.ts targets them.
 */

/** Lambda's `handler` setting for the bundle (index.js, export `handler`). */
export const FUNCTION_HANDLER = "index.handler";
/** The Lambda runtime the bundle targets. */
export const FUNCTION_RUNTIME = "nodejs22.x";
/** The function's instruction set: arm64 is 20% cheaper per GB-second than x86_64 (docs/costs.md). */
export const FUNCTION_ARCHITECTURE = "arm64";
