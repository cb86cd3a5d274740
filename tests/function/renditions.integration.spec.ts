/**
 * A two-rendition configuration end to end against s3rver and dynalite: keys, objects, record
 * entries, the fingerprint, and the record a retry rebuilds from the stored thumbnails.
 */
import * as assert from "assert";
import { DeleteItemCommand } from "@aws-sdk/client-dynamodb";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { Jimp } from "jimp";
import { Pipeline, event, imageIdOf, SOURCE_BUCKET, TABLE } from "./support/pipeline";
import { encode } from "./support/images";
import { Table } from "../../contract/table";
import { renditionSpecOf } from "../../contract/renditionSpec";
import type { Rendition } from "../../contract/renditions";
import type { ImageRecord } from "../../contract/record";

const RENDITIONS: Rendition[] = [
  { name: "grid", width: 64, height: 64, fit: "cover", formats: ["jpeg", "png"] },
  { name: "preview", width: 200, height: 200, fit: "inside", formats: ["auto", "webp"] },
];
const BANDS = [0xff0000ff, 0x00ff00ff, 0x0000ffff, 0xffff00ff];

/** 400 × 200, four vertical 100 px bands: red, green, blue, yellow. */
function bands(): InstanceType<typeof Jimp> {
  const image = new Jimp({ width: 400, height: 200, color: 0xffffffff });
  for (let y = 0; y < 200; y++) for (let x = 0; x < 400; x++) image.setPixelColor(BANDS[Math.floor(x / 100)], x, y);
  return image;
}

/** The nearest band colour at (x, y). */
async function bandAt(bytes: Buffer, x: number, y: number): Promise<string> {
  const image = await Jimp.read(bytes);
  const c = image.getPixelColor(x, y);
  const rgb = [(c >>> 24) & 0xff, (c >>> 16) & 0xff, (c >>> 8) & 0xff];
  const names = ["red", "green", "blue", "yellow"];
  const distance = (band: number) => [24, 16, 8].reduce((sum, shift, i) => sum + Math.abs(((band >>> shift) & 0xff) - rgb[i]), 0);
  return names[BANDS.map(distance).reduce((best, d, i, all) => (d < all[best] ? i : best), 0)];
}

describe("renditions against S3 and DynamoDB on loopback", function () {
  this.timeout(60_000);
  let pipeline: Pipeline;
  let upload: ReturnType<Pipeline["eventRecord"]>;
  let record: ImageRecord;

  before(async () => {
    pipeline = await Pipeline.start({ renditions: RENDITIONS });
    upload = await pipeline.upload("renditions/bands.jpg", await encode(bands(), "image/jpeg"), "image/jpeg");
    const summary = await pipeline.invoke(event(upload));
    assert.deepStrictEqual(
      summary.outcomes.map((o) => o.status),
      ["SUCCEEDED"],
    );
    record = (await pipeline.record(imageIdOf(upload)))!;
  });
  after(async () => {
    await pipeline?.close();
  });

  it("writes one object per rendition and format at <ImageID>/<rendition>.<ext>", async () => {
    const id = imageIdOf(upload);
    assert.deepStrictEqual(
      (await pipeline.thumbnailKeys()).filter((k) => k.startsWith(`${id}/`)),
      [`${id}/grid.jpg`, `${id}/grid.png`, `${id}/preview.jpg`, `${id}/preview.webp`],
    );
    assert.strictEqual((await pipeline.thumbnail(`${id}/grid.png`)).contentType, "image/png");
    assert.strictEqual((await pipeline.thumbnail(`${id}/grid.jpg`)).contentType, "image/jpeg");
    assert.strictEqual((await pipeline.thumbnail(`${id}/preview.webp`)).contentType, "image/webp");
  });

  it("lists every output in the record with its rendition, fit, size and, for cover, the crop window", () => {
    const id = imageIdOf(upload);
    assert.deepStrictEqual(
      record.Thumbnails.map((t) => [t.Rendition, t.Fit, t.Key, t.Width, t.Height, t.Format, t.ContentType, t.Crop]),
      [
        ["preview", "inside", `${id}/preview.jpg`, 200, 100, "jpeg", "image/jpeg", undefined],
        ["preview", "inside", `${id}/preview.webp`, 200, 100, "webp", "image/webp", undefined],
        ["grid", "cover", `${id}/grid.jpg`, 64, 64, "jpeg", "image/jpeg", { X: 100, Y: 0, Width: 200, Height: 200 }],
        ["grid", "cover", `${id}/grid.png`, 64, 64, "png", "image/png", { X: 100, Y: 0, Width: 200, Height: 200 }],
      ],
    );
    assert.ok(
      record.Thumbnails.every((t) => t.Bytes > 0),
      "bytes recorded",
    );
  });

  it("keeps the centre of the source in the cover crop: the green and blue bands, neither red nor yellow", async () => {
    const png = (await pipeline.thumbnail(`${imageIdOf(upload)}/grid.png`)).bytes;
    assert.deepStrictEqual(
      [await bandAt(png, 0, 32), await bandAt(png, 28, 32), await bandAt(png, 36, 32), await bandAt(png, 63, 32)],
      ["green", "green", "blue", "blue"],
    );
  });

  it("fingerprints the renditions, so a backfill tells them from a thumbnailSizes configuration", () => {
    assert.strictEqual(record.RenditionSpec, renditionSpecOf(pipeline.config));
    assert.notStrictEqual(record.RenditionSpec, renditionSpecOf({ ...pipeline.config, renditions: undefined }));
  });

  it("rebuilds the same entries from the stored thumbnails when a retry finds no record and no source", async () => {
    await pipeline.emulators.dynamo.send(
      new DeleteItemCommand({ TableName: TABLE, Key: { [Table.partitionKey]: { S: imageIdOf(upload) } } }),
    );
    await pipeline.emulators.s3.send(new DeleteObjectCommand({ Bucket: SOURCE_BUCKET, Key: upload.s3.object.key }));
    const retry = await pipeline.invoke(event(upload));
    assert.deepStrictEqual(
      retry.outcomes.map((o) => o.status),
      ["SUCCEEDED"],
    );
    const rebuilt = (await pipeline.record(imageIdOf(upload)))!;
    const entry = (t: ImageRecord["Thumbnails"][number]) => [t.Rendition, t.Fit, t.Key, t.Width, t.Height, t.Bytes, t.Format, t.Crop];
    assert.deepStrictEqual([...rebuilt.Thumbnails].map(entry).sort(), [...record.Thumbnails].map(entry).sort());
  });
});
