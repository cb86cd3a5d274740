/**
 * Runs makeThumbnails in a worker thread with a deadline, so a decoder that loops forever
 * fails its test instead of freezing mocha (a synchronous loop would block mocha's own timer).
 * One worker serves every call and is replaced after a deadline is missed.
 */
import * as path from "path";
import { Worker } from "worker_threads";
import type { ThumbnailOptions } from "../../../function/src/core/thumbnailer";

export type Outcome =
  | { ok: true; thumbnails: number; decodedWidth: number; decodedHeight: number }
  | { ok: false; name: string; reason?: string; message: string };

const THUMBNAILER = path.resolve(__dirname, "../../../function/src/core/thumbnailer.ts");

const WORKER_SOURCE = `
require("ts-node").register({ transpileOnly: true });
const { parentPort } = require("worker_threads");
const { makeThumbnails } = require(${JSON.stringify(THUMBNAILER)});
parentPort.on("message", async ({ id, bytes, options }) => {
  try {
    const result = await makeThumbnails(new Uint8Array(bytes), options);
    parentPort.postMessage({ id, outcome: { ok: true, thumbnails: result.thumbnails.length, decodedWidth: result.facts.decodedWidth, decodedHeight: result.facts.decodedHeight } });
  } catch (err) {
    parentPort.postMessage({ id, outcome: { ok: false, name: err && err.name, reason: err && err.reason, message: String(err && err.message) } });
  }
});
`;

let worker: Worker | undefined;
let nextId = 0;

function startWorker(): Worker {
  // Memory bound: a regressed bomb fails its test with an out-of-memory exit instead of swapping the machine.
  const started = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 512 } });
  started.unref();
  return started;
}

/** The result of makeThumbnails(bytes, options), or a rejection naming the deadline if it was missed. */
export function thumbnailsWithin(deadlineMs: number, bytes: Uint8Array, options: ThumbnailOptions): Promise<Outcome> {
  const current = (worker ??= startWorker());
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const finish = (action: () => void) => {
      clearTimeout(timer);
      current.off("message", onMessage);
      current.off("error", onError);
      current.off("exit", onExit);
      action();
    };
    const onMessage = (message: { id: number; outcome: Outcome }) => {
      if (message.id === id) finish(() => resolve(message.outcome));
    };
    const onError = (err: Error) => finish(() => reject(new Error(`the decoding worker failed: ${err.message}`)));
    const onExit = (code: number) => {
      if (worker === current) worker = undefined;
      finish(() => reject(new Error(`the decoding worker exited with code ${code}`)));
    };
    const timer = setTimeout(() => {
      if (worker === current) worker = undefined;
      void current.terminate();
      finish(() => reject(new Error(`makeThumbnails did not finish within ${deadlineMs} ms (a hang)`)));
    }, deadlineMs);
    current.on("message", onMessage);
    current.on("error", onError);
    current.on("exit", onExit);
    current.postMessage({ id, bytes: Buffer.from(bytes), options });
  });
}

/** Stops the shared worker (call from after()). */
export async function stopDeadlineWorker(): Promise<void> {
  const current = worker;
  worker = undefined;
  if (current) await current.terminate();
}
