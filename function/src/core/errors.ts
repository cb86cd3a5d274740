/**
 * The two kinds of failure the function distinguishes. A permanent failure is a fact about
 * the upload (not an image, corrupt, too large): retrying cannot change it, so the function
 * records it and the invocation succeeds. A transient failure is a fact about the moment (S3
 * or DynamoDB unavailable, throttled): the invocation throws so Lambda retries it.
 */

import type { FailureReason } from "../../../contract/failureReasons";

/** A failure retrying cannot fix; recorded as a FAILED record with `reason`. */
export class PermanentError extends Error {
  override readonly name = "PermanentError";
  constructor(
    readonly reason: FailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failure of the moment (an AWS call failed); the invocation throws so Lambda retries. */
export class TransientError extends Error {
  override readonly name = "TransientError";
  constructor(
    /** What was being attempted, e.g. "s3:GetObject photos/cat.jpg". */
    readonly operation: string,
    message: string,
    options?: { cause?: unknown; recycleProcess?: boolean },
  ) {
    super(message, options);
    this.recycleProcess = options?.recycleProcess ?? false;
  }
  /**
   * The process itself is in the way (memory an earlier, stopped decode left behind and the
   * allocator keeps): the retry must run in a fresh one. The handler ends the process after
   * the event's other uploads are recorded, so Lambda retries in a new sandbox.
   */
  readonly recycleProcess: boolean;
}

/**
 * A decoder asked for memory it could not get: its WASM heap's malloc returned 0. Thrown by
 * our own WASM glue; the runtime's own forms of the same failure are recognised by
 * isAllocationFailure.
 */
export class AllocationError extends Error {
  override readonly name = "AllocationError";
}

/**
 * How V8 and WASM toolchains report an allocation that could not be made, as opposed to a
 * size argument that was nonsense (which a lying header produces, and stays CorruptImage):
 * V8's "Array buffer allocation failed"; WebAssembly.Memory's grow and constructor failures;
 * Emscripten's abort on a heap that cannot grow ("Aborted(OOM)", "Cannot enlarge memory");
 * Rust's "memory allocation of N bytes failed".
 */
const ALLOCATION_FAILURE =
  /Array buffer allocation failed|WebAssembly\.Memory(\.grow)?\(\): (Maximum memory size exceeded|could not allocate memory)|Aborted\(OOM\)|Cannot enlarge memory|memory allocation of \d+ bytes failed|^out of memory$/i;

export function isAllocationFailure(err: unknown): boolean {
  if (err instanceof AllocationError) return true;
  return err instanceof Error && (err.name === "RangeError" || err.name === "RuntimeError") && ALLOCATION_FAILURE.test(err.message);
}
