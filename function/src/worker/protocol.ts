/**
 * Messages between the handler and its decoder thread. Errors cross as plain data: a
 * PermanentError keeps its reason and message, anything else its name, message and stack, so
 * the handler tells a bad upload (recorded) from a bug (retried) exactly as without the thread.
 */
import { FailureReason } from "../../../contract/failureReasons";
import { PermanentError } from "../core/errors";
import type { ImageFacts, Thumbnail, ThumbnailOptions } from "../core/thumbnailer";

export interface JobRequest {
  id: number;
  /** The upload's bytes, transferred (the handler sends a copy it gives up). */
  bytes: Uint8Array;
  options: ThumbnailOptions;
}

/** A thumbnail as it crosses: structured clone turns a Buffer into a plain Uint8Array. */
export type CrossedThumbnail = Omit<Thumbnail, "bytes"> & { bytes: Uint8Array };

export interface CrossedError {
  /** Set for a PermanentError. */
  reason?: FailureReason;
  name: string;
  message: string;
  stack?: string;
}

/** The thread's first message: the core is loaded and jobs may start (their budget starts then). */
export interface ReadyMessage {
  ready: true;
}

export type JobReply =
  { id: number; ok: true; thumbnails: CrossedThumbnail[]; facts: ImageFacts } | { id: number; ok: false; error: CrossedError };

export function crossError(err: unknown): CrossedError {
  if (err instanceof PermanentError) return { reason: err.reason, name: err.name, message: err.message, stack: err.stack };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: "Error", message: String(err) };
}

export function uncrossError(crossed: CrossedError): Error {
  if (crossed.reason !== undefined) return new PermanentError(crossed.reason, crossed.message);
  const error = new Error(crossed.message);
  error.name = crossed.name;
  if (crossed.stack) error.stack = crossed.stack;
  return error;
}

/** The bytes as a view that owns its whole ArrayBuffer, so it can be transferred; copies only when it does not. */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes;
  return new Uint8Array(bytes);
}
