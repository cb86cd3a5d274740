/**
 * The decoder thread's side: answers each JobRequest with the core's thumbnails (transferred
 * back, not copied) or its error. Takes the core as a parameter so tests can serve a core
 * that hangs or allocates without limit, through exactly this code.
 */
import { parentPort, type MessagePort } from "node:worker_threads";
import { FailureReason } from "../../../contract/failureReasons";
import { isAllocationFailure, PermanentError } from "../core/errors";
import type { ThumbnailOptions, ThumbnailResult } from "../core/thumbnailer";
import { crossError, ownedBytes, type CrossedThumbnail, type JobReply, type JobRequest, type ReadyMessage } from "./protocol";

export type Core = (bytes: Uint8Array, options: ThumbnailOptions) => Promise<ThumbnailResult>;

export function serve(core: Core): void {
  const port = parentPort;
  if (!port) throw new Error("the thumbnail worker must run in a worker thread (node:worker_threads), not as a main script");
  port.on("message", (request: JobRequest) => void answer(port, core, request));
  const ready: ReadyMessage = { ready: true };
  port.postMessage(ready);
}

async function answer(port: MessagePort, core: Core, request: JobRequest): Promise<void> {
  let reply: JobReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const result = await core(request.bytes, request.options);
    const thumbnails: CrossedThumbnail[] = result.thumbnails.map((t) => ({ ...t, bytes: ownedBytes(t.bytes) }));
    transfer = thumbnails.map((t) => t.bytes.buffer as ArrayBuffer);
    reply = { id: request.id, ok: true, thumbnails, facts: result.facts };
  } catch (err) {
    reply = { id: request.id, ok: false, error: crossError(asImageFailure(err)) };
  }
  port.postMessage(reply, transfer);
}

/**
 * An allocation that failed anywhere in the core (decoders name their format themselves;
 * resizing and encoding land here) is a fact about this image's demands: a PermanentError,
 * recorded, not an error the handler would retry into the same wall.
 */
function asImageFailure(err: unknown): unknown {
  if (err instanceof PermanentError || !isAllocationFailure(err)) return err;
  return new PermanentError(
    FailureReason.AllocationFailed,
    `making the thumbnails could not allocate the memory it asked for: ${(err as Error).message}`,
    { cause: err },
  );
}
