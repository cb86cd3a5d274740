import * as assert from "assert";
import { currentImageIdOf, hasThumbnails, thumbnailFor, thumbnailUrls, type ImageRecord } from "../../contract/consumer";
import { thumbnailKey } from "../../contract/thumbnailKeys";

const ID = "9f86d081884c7d659a2feaa0c55ad015";

function record(extra: Partial<ImageRecord> = {}): ImageRecord {
  return {
    ImageID: ID,
    Status: "SUCCEEDED",
    SourceBucket: "uploads",
    SourceKey: "photos/a.jpg",
    FileName: "a.jpg",
    SizeBytes: 1000,
    UploadTime: "2026-12-04T00:00:00.000Z",
    ProcessedAt: "2026-12-04T00:00:01.000Z",
    ThumbnailBucket: "thumbs",
    Thumbnails: [512, 128].map((size) => ({
      Size: size,
      Key: thumbnailKey(ID, size, "jpeg"),
      Width: size,
      Height: (size * 3) / 4,
      Bytes: size * 10,
      Format: "jpeg" as const,
      ContentType: "image/jpeg",
    })),
    DurationMs: 10,
    ETag: "e",
    Sequencer: "01",
    EventName: "ObjectCreated:Put",
    ...extra,
  };
}

describe("consumer helpers (contract/consumer.ts)", () => {
  const outputs = { thumbnailBaseUrl: "https://d111111abcdef8.cloudfront.net/" };

  it("turns a SUCCEEDED record and the stack's base URL into one URL per thumbnail, largest first", () => {
    assert.deepStrictEqual(
      thumbnailUrls(record(), outputs).map((t) => [t.Size, t.url]),
      [
        [512, `https://d111111abcdef8.cloudfront.net/${ID}/512.jpg`],
        [128, `https://d111111abcdef8.cloudfront.net/${ID}/128.jpg`],
      ],
    );
  });

  it("gives no URLs for a record whose thumbnails are gone, and keeps those of a REPLACED one that kept them", () => {
    assert.deepStrictEqual(thumbnailUrls(record({ Status: "DELETED", ThumbnailsRemovedAt: "x" }), outputs), []);
    assert.deepStrictEqual(thumbnailUrls(record({ Status: "FAILED", Thumbnails: [] }), outputs), []);
    assert.strictEqual(hasThumbnails(record({ Status: "REPLACED" })), true);
    assert.strictEqual(hasThumbnails(record({ Status: "REPLACED", ThumbnailsRemovedAt: "x" })), false);
  });

  it("picks the smallest thumbnail that covers a box, else the largest", () => {
    assert.strictEqual(thumbnailFor(record(), outputs, 100)?.Size, 128);
    assert.strictEqual(thumbnailFor(record(), outputs, 300)?.Size, 512);
    assert.strictEqual(thumbnailFor(record(), outputs, 4000)?.Size, 512);
  });

  it("refuses a base URL that is not https, naming it", () => {
    assert.throws(() => thumbnailUrls(record(), { thumbnailBaseUrl: "http://x" }), /thumbnailBaseUrl "http:\/\/x" must be an https URL/);
  });

  it("reads a key's current upload from its state item: none once a later delete came", () => {
    assert.strictEqual(currentImageIdOf({ CurrentImageID: ID, CurrentOrder: "02" }), ID);
    assert.strictEqual(currentImageIdOf({ CurrentImageID: ID, CurrentOrder: "02", DeletedOrder: "03" }), undefined);
    assert.strictEqual(currentImageIdOf({ CurrentImageID: ID, CurrentOrder: "04", DeletedOrder: "03" }), ID);
  });
});
