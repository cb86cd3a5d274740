/**
 * One local "Lambda container": a child process that loads the bundled handler once (so
 * module-level clients live as long as the container, as on Lambda), then runs one
 * invocation at a time on request from the parent. Everything the handler writes to stdout
 * and stderr during an invocation is captured and sent back with the result, which is how
 * the parent reads the function's EMF metrics and logs per invocation.
 *
 * This file is bundled by esbuild and run with plain node; it must not import project code
 * that would pull in the AWS SDK or ts-node.
 */
import type { InvokeRequest, ContainerMessage } from "./protocol";

const bundleFile = process.env.LOCAL_LAMBDA_BUNDLE;
const handlerName = process.env.LOCAL_LAMBDA_HANDLER_EXPORT ?? "handler";

function send(message: ContainerMessage): void {
  process.send?.(message);
}

let captured: string[] | undefined;
const realStdoutWrite = process.stdout.write.bind(process.stdout);
const realStderrWrite = process.stderr.write.bind(process.stderr);

function capture(stream: "stdout" | "stderr") {
  const passThrough = stream === "stdout" ? realStdoutWrite : realStderrWrite;
  return function write(chunk: unknown, ...rest: unknown[]): boolean {
    if (captured) {
      captured.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      callback?.();
      return true;
    }
    return (passThrough as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
}
process.stdout.write = capture("stdout");
process.stderr.write = capture("stderr");

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
let handler: Handler;
const initStarted = Date.now();
captured = [];
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle path is known only at run time
  const loaded = require(bundleFile as string)[handlerName];
  if (typeof loaded !== "function") throw new Error(`${bundleFile} does not export a function named "${handlerName}"`);
  handler = loaded;
  send({ type: "ready", initMs: Date.now() - initStarted, output: captured.join("") });
} catch (err) {
  send({ type: "initError", message: errorMessage(err), output: captured.join("") });
  process.exitCode = 1;
} finally {
  captured = undefined;
}

function lambdaContext(request: InvokeRequest) {
  const deadline = Date.now() + request.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: request.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: request.functionArn,
    memoryLimitInMB: String(request.memoryMb),
    awsRequestId: request.requestId,
    logGroupName: `/aws/lambda/${request.functionName}`,
    logStreamName: `local/${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

// The parent is gone (it exited or was killed): a container never outlives its service.
process.on("disconnect", () => process.exit(0));

process.on("message", (request: InvokeRequest) => {
  if (request.type === "invoke") void invoke(request);
});

async function invoke(request: InvokeRequest): Promise<void> {
  captured = [];
  const started = process.hrtime.bigint();
  let error: string | undefined;
  try {
    await handler(request.event, lambdaContext(request));
  } catch (err) {
    error = errorMessage(err);
  }
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  const output = captured.join("");
  captured = undefined;
  send({
    type: "result",
    id: request.id,
    durationMs,
    error,
    output,
    // resourceUsage().maxRSS is in kilobytes: the container's peak, like Lambda's "Max Memory Used".
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  });
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
