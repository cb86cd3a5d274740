/**
 * Makes s3rver's PUTs atomic, as S3's are. s3rver writes an object by truncating its file and
 * streaming the new bytes into it, then replaces the ETag and metadata files: until it is done,
 * a GET (even one with If-Match) sees the old ETag over the new bytes in the making, or none
 * (the soak run found a valid upload recorded FAILED EmptyObject that way), and a PUT whose
 * client dies leaves a partial object behind. Here the body is received in full first (an
 * aborted upload stores nothing), written to a temporary file and renamed into place, and the
 * reads, writes and deletes of one key take turns, so a read sees an object whole, before or after.
 */
import { createHash, randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";

interface StoredObject {
  bucket: string;
  key: string;
  content: NodeJS.ReadableStream | Buffer;
  metadata: Record<string, string>;
}

/** The parts of s3rver's FilesystemStore this touches (the package ships no types). */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  getObject(bucket: string, key: string, options?: unknown): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<void>;
}

function receive(content: NodeJS.ReadableStream | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(content)) return Promise.resolve(content);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    content.on("data", (chunk: Buffer) => chunks.push(chunk));
    content.on("end", () => resolve(Buffer.concat(chunks)));
    content.on("error", reject);
    // A client that goes away mid-upload: nothing is stored.
    content.on("aborted", () => reject(new Error("the upload was aborted")));
    content.on("close", () => reject(new Error("the upload ended early")));
  });
}

/**
 * Patches `store` (s3rver's own) in place; `scratch` is a directory on the same file system.
 * After `close()` resolves no write touches the disk: an upload still arriving when the server shuts
 * down must not recreate the directories the shutdown removed.
 */
export function makePutsAtomic(store: FilesystemStore, scratch: string): { close(): Promise<void> } {
  fs.mkdirSync(scratch, { recursive: true });
  let closed = false;
  const turns = new Map<string, Promise<unknown>>();
  const inTurn = <T>(bucket: string, key: string, work: () => Promise<T>): Promise<T> => {
    const id = JSON.stringify([bucket, key]);
    const previous = turns.get(id) ?? Promise.resolve();
    const mine = previous.then(work, work);
    const settled = mine.catch(() => undefined);
    turns.set(id, settled);
    void settled.then(() => {
      if (turns.get(id) === settled) turns.delete(id);
    });
    return mine;
  };
  const getObject = store.getObject.bind(store);
  const deleteObject = store.deleteObject.bind(store);

  store.putObject = async (object) => {
    const bytes = await receive(object.content);
    return inTurn(object.bucket, object.key, async () => {
      if (closed) throw new Error("the local S3 server is shutting down");
      const target = store.getResourcePath(object.bucket, object.key, "object");
      const temporary = path.join(scratch, randomUUID());
      await fs.promises.writeFile(temporary, bytes);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await fs.promises.rename(temporary, target);
      const md5 = createHash("md5").update(bytes).digest("hex");
      await store.putMetadata(object.bucket, object.key, object.metadata, md5);
      return { size: bytes.length, md5 };
    });
  };
  // An open read stream keeps reading the file it opened, whatever is renamed over it later.
  store.getObject = (bucket, key, options) => inTurn(bucket, key, () => getObject(bucket, key, options));
  store.deleteObject = (bucket, key) => inTurn(bucket, key, () => deleteObject(bucket, key));
  return {
    /** Refuses further writes and waits for the ones under way. */
    async close() {
      closed = true;
      await Promise.all(turns.values());
    },
  };
}
