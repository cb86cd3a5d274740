/** Classifies AWS SDK errors; anything not recognised as a fact about the upload is transient. */
import { TransientError } from "../core/errors";

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function httpStatusOf(err: unknown): number | undefined {
  return (err as SdkError)?.$metadata?.httpStatusCode;
}

export function errorName(err: unknown): string {
  return (err as SdkError)?.name ?? "Error";
}

export function transient(operation: string, err: unknown): TransientError {
  const status = httpStatusOf(err);
  const detail = `${errorName(err)}${status ? ` (HTTP ${status})` : ""}: ${(err as SdkError)?.message ?? String(err)}`;
  return new TransientError(operation, `${operation} failed: ${detail}`, { cause: err });
}
