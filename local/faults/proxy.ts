/**
 * An HTTP proxy in front of a local S3 or DynamoDB server that answers a share of the requests
 * with the errors the real services send when they fail or throttle, so the function's clients
 * see what they would see in AWS. A failed request is failed either before it reaches the
 * server or after the server acted on it (the reply lost on the way back): the second is the
 * harder case, a write that happened although the caller was told it failed.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { randomUUID } from "crypto";
import { RandomStream } from "./random";
import type { FaultCounts } from "./counts";
import type { FaultSpec, SharedFaultKind } from "./spec";

export type ProxiedService = "s3" | "dynamodb";

export interface FaultProxy {
  endpoint: string;
  /** Requests that passed through, failed or not. */
  readonly requests: number;
  close(): Promise<void>;
}

interface InjectedError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function s3Error(status: number, code: string, message: string, method: string): InjectedError {
  const requestId = randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase();
  const body =
    method === "HEAD"
      ? ""
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`;
  return { status, headers: { "content-type": "application/xml", "x-amz-request-id": requestId }, body };
}

function dynamoError(status: number, type: string, message: string): InjectedError {
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
  return { status, headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": randomUUID() }, body };
}

/** The fault kinds that may hit this request, in the order they are drawn. */
function kindsFor(service: ProxiedService, method: string): SharedFaultKind[] {
  if (service === "dynamodb") return ["dynamodb", "throttle"];
  return method === "GET" || method === "HEAD" ? ["s3-get", "throttle"] : ["s3-put", "throttle"];
}

function errorFor(service: ProxiedService, kind: SharedFaultKind, method: string, pick: RandomStream): InjectedError {
  if (service === "s3") {
    return kind === "throttle"
      ? s3Error(503, "SlowDown", "Please reduce your request rate.", method)
      : s3Error(500, "InternalError", "We encountered an internal error. Please try again.", method);
  }
  if (kind !== "throttle") return dynamoError(500, "InternalServerError", "Internal server error");
  return pick.chance(0.5)
    ? dynamoError(400, "ThrottlingException", "Rate of requests exceeds the allowed throughput.")
    : dynamoError(
        400,
        "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
      );
}

export async function startFaultProxy(options: {
  service: ProxiedService;
  /** The real server, e.g. http://127.0.0.1:4569. */
  upstream: string;
  spec: FaultSpec;
  seed: number;
  counts: FaultCounts;
}): Promise<FaultProxy> {
  const { service, spec, counts } = options;
  const upstream = new URL(options.upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const streams = new Map<string, RandomStream>();
  const stream = (name: string) => {
    let s = streams.get(name);
    if (!s) streams.set(name, (s = new RandomStream(options.seed, `${service}:${name}`)));
    return s;
  };
  let requests = 0;

  const server = http.createServer((req, res) => {
    requests++;
    const method = req.method ?? "GET";
    // Decided on arrival, in arrival order: the nth request meets the same fate under the same seed.
    const kind = kindsFor(service, method).find((k) => stream(k).chance(spec.shares[k]));
    const injected = kind && errorFor(service, kind, method, stream(`${kind}:type`));
    const afterServer = kind !== undefined && stream(`${kind}:when`).chance(0.5);
    if (kind) counts.inject(kind);

    const reply = (error: InjectedError) => {
      res.writeHead(error.status, { ...error.headers, "content-length": String(Buffer.byteLength(error.body)) });
      res.end(method === "HEAD" ? undefined : error.body);
    };
    if (injected && !afterServer) {
      // Read the body first, so the connection stays usable for the client's retry.
      req.resume();
      req.on("end", () => reply(injected));
      return;
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method, path: req.url, headers: req.headers, agent },
      (upstreamRes) => {
        if (injected) {
          upstreamRes.resume();
          upstreamRes.on("end", () => reply(injected));
          return;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on("error", (err) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`fault proxy: upstream ${options.upstream} failed: ${err.message}`);
    });
    // A client that goes away (a crashed container) takes its upstream request with it.
    req.on("aborted", () => forward.destroy());
    req.pipe(forward);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
