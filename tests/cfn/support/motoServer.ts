/**
 * moto_server (the Python AWS emulator) as a child process on a free loopback port, for the
 * CloudFormation deploy test. Found on PATH or at pyenv's shim; undefined when absent.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

const PYENV_SHIM = "/root/.pyenv/shims/moto_server";

/** The moto_server executable, or undefined when this machine has none. */
export function findMotoServer(): string | undefined {
  const onPath = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, "moto_server"));
  return [...onPath, PYENV_SHIM].find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface MotoServer {
  endpoint: string;
  /** Stops the server and waits until the process has exited. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  child.kill("SIGTERM");
  if (await waitForExit(child, 5_000)) return;
  child.kill("SIGKILL");
  await waitForExit(child, 5_000);
}

/** Starts moto_server on 127.0.0.1 and resolves once it answers HTTP. */
export async function startMotoServer(executable: string, readyWithinMs = 30_000): Promise<MotoServer> {
  let lastProblem = "";
  // A free port can be taken between probing and binding: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(executable, ["-H", "127.0.0.1", "-p", String(port)], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, PYTHONUNBUFFERED: "1" },
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    const endpoint = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + readyWithinMs;
    while (!exited(child) && Date.now() < deadline) {
      try {
        const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
        if (response.ok) return { endpoint, stop: () => stopChild(child) };
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const diedEarly = exited(child);
    await stopChild(child);
    lastProblem = diedEarly ? `exited early: ${stderr.trim()}` : `did not answer within ${readyWithinMs} ms: ${stderr.trim()}`;
  }
  throw new Error(`moto_server (${executable}) ${lastProblem}`);
}
