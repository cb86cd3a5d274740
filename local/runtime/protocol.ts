/** Messages between the parent (the local "Lambda service") and its container processes. */

export interface InvokeRequest {
  type: "invoke";
  id: number;
  event: unknown;
  requestId: string;
  functionName: string;
  functionArn: string;
  memoryMb: number;
  timeoutMs: number;
}

export type ContainerMessage =
  | { type: "ready"; initMs: number; output: string }
  | { type: "initError"; message: string; output: string }
  | {
      type: "result";
      id: number;
      durationMs: number;
      /** Set when the handler threw or rejected: Lambda would retry the event. */
      error?: string;
      /** Everything written to stdout/stderr during the invocation. */
      output: string;
      maxRssBytes: number;
    };
