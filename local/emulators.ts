/**
 * Local S3 (s3rver) and DynamoDB (dynalite) servers on loopback, speaking the real wire
 * protocols, plus SDK v3 clients configured for them. Shared by the function's integration
 * tests and `npm start`, so both exercise the same setup.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as net from "net";
import type { AddressInfo } from "net";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { makePutsAtomic } from "./s3rverAtomicPuts";

// Neither package ships types.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS package
const S3rver = require("s3rver");
// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS package
const dynalite = require("dynalite");

/** s3rver accepts only this access key id and secret. */
const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const REGION = "us-east-1";

export interface S3EventRecordFromEmulator {
  eventName: string;
  eventTime: string;
  s3: { bucket: { name: string }; object: { key: string; size: number; eTag: string; sequencer: string } };
}

export interface Emulators {
  s3Endpoint: string;
  dynamoEndpoint: string;
  region: string;
  /** Environment variables that point an AWS SDK v3 process at these servers. */
  sdkEnvironment: Record<string, string>;
  s3: S3Client;
  dynamo: DynamoDBClient;
  /** s3rver's own event stream (keys are NOT URL-encoded, unlike real S3). */
  onS3Event(listener: (record: S3EventRecordFromEmulator) => void): void;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  /** Port for S3; 0 (default) picks a free one. */
  s3Port?: number;
  /** Port for DynamoDB; 0 (default) picks a free one. */
  dynamoPort?: number;
}

/** S3 client settings s3rver needs: path-style URLs, and no streaming checksums (s3rver would store the chunk framing inside the object). */
export function s3ClientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: REGION,
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

export function dynamoClientFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: REGION, credentials: S3RVER_CREDENTIALS });
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  // A fresh directory per run: s3rver's default data directory persists between runs.
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "thumbnail-s3rver-"));
  const s3rver = new S3rver({
    address: "127.0.0.1",
    port: options.s3Port ?? 0,
    silent: true,
    directory,
    resetOnClose: true,
  });
  // Beside s3rver's directory (the same file system, for rename), so no listing sees a half-written object.
  const incoming = `${directory}-incoming`;
  const atomicPuts = makePutsAtomic(s3rver.store, incoming);
  let s3Address: AddressInfo;
  try {
    // s3rver reports a failed bind as an unhandled 'error' event (the process crashes) rather
    // than rejecting run(); find a taken port first so it becomes a clear error instead.
    if (options.s3Port) await assertPortFree(options.s3Port);
    s3Address = await s3rver.run();
  } catch (err) {
    fs.rmSync(directory, { recursive: true, force: true });
    fs.rmSync(incoming, { recursive: true, force: true });
    throw portError("S3", options.s3Port, err);
  }

  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      dynamoServer.once("error", reject);
      dynamoServer.listen(options.dynamoPort ?? 0, "127.0.0.1", () => {
        dynamoServer.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    await s3rver.close();
    fs.rmSync(directory, { recursive: true, force: true });
    fs.rmSync(incoming, { recursive: true, force: true });
    throw portError("DynamoDB", options.dynamoPort, err);
  }

  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;
  const dynamoEndpoint = `http://127.0.0.1:${(dynamoServer.address() as AddressInfo).port}`;
  const s3 = s3ClientFor(s3Endpoint);
  const dynamo = dynamoClientFor(dynamoEndpoint);
  let closed = false;

  return {
    s3Endpoint,
    dynamoEndpoint,
    region: REGION,
    sdkEnvironment: {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      // What s3ClientFor sets in code, for SDK clients a process builds from its environment.
      AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
      AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
    },
    s3,
    dynamo,
    onS3Event(listener) {
      s3rver.on("event", (event: { Records: S3EventRecordFromEmulator[] }) => {
        for (const record of event.Records) listener(record);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      s3.destroy();
      dynamo.destroy();
      await atomicPuts.close();
      await s3rver.close();
      await new Promise<void>((resolve) => dynamoServer.close(() => resolve()));
      fs.rmSync(directory, { recursive: true, force: true });
      fs.rmSync(incoming, { recursive: true, force: true });
    },
  };
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

function portError(what: string, port: number | undefined, cause: unknown): Error {
  const code = (cause as NodeJS.ErrnoException)?.code;
  if (code === "EADDRINUSE") {
    return new Error(`local ${what} server: port ${port} is already in use; choose another port or stop what is listening there`);
  }
  return new Error(`local ${what} server failed to start on port ${port ?? 0}: ${(cause as Error)?.message ?? cause}`);
}
