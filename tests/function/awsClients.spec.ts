import { strict as assert } from "assert";
import * as net from "net";
import type { AddressInfo } from "net";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { createAwsClients, DEFAULT_CLIENT_TIMEOUTS } from "../../function/src/adapters/awsClients";
import { TransientError } from "../../function/src/core/errors";
import { getRecordState } from "../../function/src/adapters/recordStore";
import { readSource } from "../../function/src/adapters/sourceObject";

/** A server that accepts connections and never answers: a stalled S3 or DynamoDB endpoint. */
async function startSilentServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("AWS clients", () => {
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  before(async () => {
    silent = await startSilentServer();
  });
  after(async () => silent.close());

  // Short timeouts and one attempt keep the test quick; the behaviour is what the defaults give.
  const timeouts = { connectionTimeoutMs: 500, requestTimeoutMs: 300 };
  const local = () => ({
    endpoint: silent.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });

  it("sets connection and socket timeouts by default, so a stalled connection cannot hold an invocation until Lambda's timeout", () => {
    assert.ok(DEFAULT_CLIENT_TIMEOUTS.connectionTimeoutMs > 0 && DEFAULT_CLIENT_TIMEOUTS.requestTimeoutMs > 0);
    assert.ok(DEFAULT_CLIENT_TIMEOUTS.requestTimeoutMs < 60_000, "well inside the default 60 s function timeout");
  });

  it("turns an S3 read that never answers into a transient failure (retried by Lambda), not a hang", async () => {
    const { s3, dynamo } = createAwsClients(timeouts, { s3: { ...local(), forcePathStyle: true } });
    try {
      const upload = {
        bucket: "src",
        key: "a.jpg",
        size: 10,
        eTag: "abc",
        sequencer: "01",
        eventTime: "2026-01-01T00:00:00.000Z",
        eventName: "ObjectCreated:Put",
      };
      await assert.rejects(readSource(s3, upload, 1024), (err: unknown) => {
        assert.ok(err instanceof TransientError, `expected a TransientError, got ${err}`);
        assert.match(String((err as Error).message), /GetObject/);
        return true;
      });
    } finally {
      s3.destroy();
      dynamo.destroy();
    }
  });

  it("turns a DynamoDB call that never answers into a transient failure", async () => {
    const { s3, dynamo } = createAwsClients(timeouts, { dynamo: local() });
    try {
      await assert.rejects(getRecordState(dynamo, "table", "id"), (err: unknown) => {
        assert.ok(err instanceof TransientError, `expected a TransientError, got ${err}`);
        return true;
      });
      // Control: the raw SDK call fails too (a timeout), rather than resolving.
      await assert.rejects(dynamo.send(new GetItemCommand({ TableName: "table", Key: { ImageID: { S: "id" } } })));
    } finally {
      s3.destroy();
      dynamo.destroy();
    }
  });
});
