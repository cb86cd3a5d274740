import { createHash } from "crypto";
import * as assert from "assert";
import { parseS3Event } from "../../function/src/adapters/s3Event";
import { decodeS3EventKey, encodeS3EventKey } from "../../contract/s3EventKey";
import { imageIdFor } from "../../contract/imageId";
import { thumbnailKey, thumbnailMetadata } from "../../contract/thumbnailKeys";
import { toItem, fromItem, type ImageRecord } from "../../contract/record";

function record(key: string, extra: Record<string, unknown> = {}) {
  return {
    eventName: "ObjectCreated:Put",
    eventTime: "2026-01-01T00:00:00.000Z",
    s3: { bucket: { name: "uploads" }, object: { key, size: 10, eTag: "abc", sequencer: "0055AED6DCD90281E5", ...extra } },
  };
}

describe("S3 event parsing", () => {
  for (const [encoded, key] of [
    ["my+photo.jpg", "my photo.jpg"],
    ["a%2Bb.jpg", "a+b.jpg"],
    ["100%25.jpg", "100%.jpg"],
    ["%E6%97%A5%E6%9C%AC.jpg", "日本.jpg"],
    ["dir/sub+dir/x.png", "dir/sub dir/x.png"],
  ]) {
    it(`decodes the event key ${encoded} to ${key}, and encodes it back as S3 does`, () => {
      assert.strictEqual(decodeS3EventKey(encoded), key);
      assert.strictEqual(encodeS3EventKey(key), encoded);
    });
  }

  it("keeps a key that is not valid percent-encoding as it is", () => {
    assert.strictEqual(decodeS3EventKey("bad%zz.jpg"), "bad%zz.jpg");
  });

  it("turns ObjectCreated records into uploads and skips what is neither created nor removed", () => {
    const parsed = parseS3Event({
      Records: [record("a.jpg", { versionId: "v1", eTag: '"quoted"' }), { ...record("b.jpg"), eventName: "ObjectRestore:Post" }],
    });
    assert.deepStrictEqual(parsed.uploads, [
      {
        bucket: "uploads",
        key: "a.jpg",
        size: 10,
        eTag: "quoted",
        versionId: "v1",
        sequencer: "0055AED6DCD90281E5",
        eventTime: "2026-01-01T00:00:00.000Z",
        eventName: "ObjectCreated:Put",
      },
    ]);
    assert.deepStrictEqual(parsed.skipped, [{ eventName: "ObjectRestore:Post", reason: "not an ObjectCreated or ObjectRemoved event" }]);
  });

  it("turns ObjectRemoved records into removals: of the key, or of one version when a DELETE names it", () => {
    const removed = (key: string, eventName: string, versionId?: string) => ({ ...record(key, versionId ? { versionId } : {}), eventName });
    const parsed = parseS3Event({
      Records: [
        removed("plain+photo.jpg", "ObjectRemoved:Delete"),
        removed("suspended.jpg", "ObjectRemoved:Delete", "null"),
        removed("hidden.jpg", "ObjectRemoved:DeleteMarkerCreated", "marker-1"),
        removed("gone.jpg", "ObjectRemoved:Delete", "v7"),
      ],
    });
    assert.deepStrictEqual(
      parsed.removals.map((r) => [r.key, r.kind, r.versionId, r.sequencer]),
      [
        ["plain photo.jpg", "key", undefined, "0055AED6DCD90281E5"],
        ["suspended.jpg", "key", undefined, "0055AED6DCD90281E5"],
        ["hidden.jpg", "key", "marker-1", "0055AED6DCD90281E5"],
        ["gone.jpg", "version", "v7", "0055AED6DCD90281E5"],
      ],
    );
    assert.deepStrictEqual(parsed.uploads, []);
  });

  it("skips a removal without a sequencer, since it cannot be ordered against the key's uploads", () => {
    const noSequencer = { ...record("a.jpg"), eventName: "ObjectRemoved:Delete" };
    delete (noSequencer.s3.object as { sequencer?: string }).sequencer;
    const parsed = parseS3Event({ Records: [noSequencer] });
    assert.deepStrictEqual(parsed.removals, []);
    assert.match(parsed.skipped[0].reason, /removal needs the sequencer S3 sends \(hexadecimal\), got ""/);
  });

  it("skips a malformed ObjectCreated record, saying why, instead of failing the event", () => {
    const parsed = parseS3Event({ Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: {}, object: {} } }, record("ok.jpg")] });
    assert.deepStrictEqual(
      parsed.uploads.map((u) => u.key),
      ["ok.jpg"],
    );
    assert.deepStrictEqual(parsed.skipped, [{ eventName: "ObjectCreated:Put", reason: "malformed record: no bucket name or object key" }]);
  });

  it("accepts S3's test event and other shapes without Records as empty", () => {
    assert.deepStrictEqual(parseS3Event({ Service: "Amazon S3", Event: "s3:TestEvent" }), { uploads: [], removals: [], skipped: [] });
    assert.deepStrictEqual(parseS3Event(null), { uploads: [], removals: [], skipped: [] });
  });
});

describe("ImageID", () => {
  const upload = { bucket: "uploads", key: "a.jpg", sequencer: "0055AED6DCD90281E5", eTag: "abc" };

  it("is the first 32 hex digits of SHA-256 over [bucket, key, sequencer]", () => {
    // Recomputed independently of the module, as README documents it.
    const expected = createHash("sha256")
      .update(JSON.stringify(["uploads", "a.jpg", "sequencer:0055AED6DCD90281E5"]))
      .digest("hex")
      .slice(0, 32);
    assert.strictEqual(imageIdFor(upload), expected);
    assert.match(imageIdFor(upload), /^[0-9a-f]{32}$/);
  });

  it("is the same for a duplicate delivery and different for a new upload of the same key", () => {
    assert.strictEqual(imageIdFor({ ...upload }), imageIdFor(upload));
    assert.notStrictEqual(imageIdFor({ ...upload, sequencer: "0055AED6DCD90281E6" }), imageIdFor(upload));
    assert.notStrictEqual(imageIdFor({ ...upload, key: "b.jpg" }), imageIdFor(upload));
  });

  it("falls back to the version id, then the ETag, for events without a sequencer", () => {
    const a = imageIdFor({ ...upload, sequencer: "", versionId: "v1" });
    const b = imageIdFor({ ...upload, sequencer: "", versionId: "v2" });
    const c = imageIdFor({ ...upload, sequencer: "" });
    assert.strictEqual(new Set([a, b, c, imageIdFor(upload)]).size, 4);
  });
});

describe("thumbnail keys and metadata", () => {
  it("puts each size of an upload under its ImageID", () => {
    assert.strictEqual(thumbnailKey("0123abcd", 256, "jpeg"), "0123abcd/256.jpg");
    assert.strictEqual(thumbnailKey("0123abcd", 512, "png"), "0123abcd/512.png");
  });

  it("percent-encodes the source key so any UTF-8 key fits in an HTTP header", () => {
    const metadata = thumbnailMetadata({ imageId: "id", bucket: "b", key: "ü dir/ß.jpg", eTag: "e", sequencer: "s", size: 256 });
    assert.match(metadata["source-key"], /^[\x21-\x7e]+$/);
    assert.strictEqual(decodeURIComponent(metadata["source-key"]), "ü dir/ß.jpg");
    assert.strictEqual(metadata["source-version-id"], undefined);
  });

  it("stays within S3's 2 KB of user metadata for the longest keys, which S3 would refuse with 400 on every retry", () => {
    // 341 three-byte characters: a 1,023-byte key (S3 allows 1,024), 3,069 characters percent-encoded.
    const key = `${"写真".repeat(170)}写`;
    const source = {
      imageId: "0123456789abcdef0123456789abcdef",
      bucket: "b".repeat(63),
      key,
      eTag: "d41d8cd98f00b204e9800998ecf8427e-10000",
      versionId: "v".repeat(32),
      sequencer: "0055AED6DCD90281E5",
      size: 4096,
    };
    const metadata = thumbnailMetadata(source);
    const bytes = Object.entries(metadata).reduce(
      (sum, [name, value]) => sum + Buffer.byteLength(`x-amz-meta-${name}`) + Buffer.byteLength(value),
      0,
    );
    assert.ok(bytes <= 2048, `user metadata is ${bytes} bytes`);
    assert.strictEqual(metadata["image-id"], source.imageId, "the thumbnail still names its upload (the record holds the key)");
    // A key that fits keeps its source-key header.
    assert.strictEqual(decodeURIComponent(thumbnailMetadata({ ...source, key: "写真/cat.jpg" })["source-key"]), "写真/cat.jpg");
  });
});

describe("metadata record marshalling", () => {
  it("round-trips a record through DynamoDB attribute values, omitting absent fields", () => {
    const record: ImageRecord = {
      ImageID: "id",
      Status: "SUCCEEDED",
      SourceBucket: "b",
      SourceKey: "k",
      FileName: "k",
      SizeBytes: 10,
      HasAlpha: false,
      UploadTime: "2026-01-01T00:00:00.000Z",
      ProcessedAt: "2026-01-01T00:00:01.000Z",
      ThumbnailBucket: "t",
      Thumbnails: [{ Size: 256, Key: "id/256.jpg", Width: 256, Height: 10, Bytes: 99, Format: "jpeg", ContentType: "image/jpeg" }],
      DurationMs: 5,
      ETag: "e",
      Sequencer: "s",
      EventName: "ObjectCreated:Put",
      VersionId: undefined,
    };
    const item = toItem(record);
    assert.deepStrictEqual(item.SizeBytes, { N: "10" });
    assert.deepStrictEqual(item.HasAlpha, { BOOL: false });
    assert.ok(!("VersionId" in item));
    const { VersionId: _omitted, ...rest } = record;
    assert.deepStrictEqual(fromItem(item), rest);
  });
});
