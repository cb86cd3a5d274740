/**
 * The local S3 server keeps S3's guarantee that a PUT is atomic: while an object is being
 * overwritten, a read sees the old object whole (or, after, the new one whole), never the new
 * bytes in the making under the old ETag. The soak found a valid upload recorded FAILED
 * EmptyObject because s3rver truncates the file in place.
 */
import { strict as assert } from "assert";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { Readable } from "stream";
import { startEmulators, type Emulators } from "../../local/emulators";

describe("local S3 server", function () {
  this.timeout(30_000);
  let emulators: Emulators;
  before(async () => {
    emulators = await startEmulators();
    await emulators.s3.send(new CreateBucketCommand({ Bucket: "atomic-puts" }));
  });
  after(() => emulators.close());

  it("serves the old object whole, under its ETag, while a new one is being written over it", async () => {
    const old = Buffer.alloc(1 << 20, 0x41);
    const put = await emulators.s3.send(new PutObjectCommand({ Bucket: "atomic-puts", Key: "photo.jpg", Body: old }));
    // The new object arrives slowly: half of it, a pause, the rest.
    const half = Buffer.alloc(1 << 19, 0x42);
    let chunks = 0;
    const slow = new Readable({
      read() {
        if (chunks === 0) this.push(half);
        else if (chunks === 1) setTimeout(() => (this.push(half), this.push(null)), 500);
        chunks++;
      },
    });
    const overwrite = emulators.s3.send(
      new PutObjectCommand({ Bucket: "atomic-puts", Key: "photo.jpg", Body: slow, ContentLength: 1 << 20 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const during = await emulators.s3.send(new GetObjectCommand({ Bucket: "atomic-puts", Key: "photo.jpg", IfMatch: put.ETag }));
    const bytes = Buffer.from(await during.Body!.transformToByteArray());
    assert.equal(during.ETag, put.ETag);
    assert.ok(bytes.equals(old), `read ${bytes.length} bytes starting ${bytes.subarray(0, 4).toString("hex")} under the old ETag`);
    const written = await overwrite;
    const after = await emulators.s3.send(new GetObjectCommand({ Bucket: "atomic-puts", Key: "photo.jpg" }));
    assert.equal(after.ETag, written.ETag);
    assert.ok(Buffer.from(await after.Body!.transformToByteArray()).equals(Buffer.concat([half, half])));
  });
});
