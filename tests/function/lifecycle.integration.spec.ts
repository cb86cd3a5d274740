/**
 * The life of an upload after its verdict (docs/lifecycle.md): deletes, replacements, events
 * out of order and twice. The real handler against s3rver and dynalite; after every scenario
 * the bucket and the table must agree (see `assertConsistent`).
 */
import * as assert from "assert";
import { Pipeline, event, imageIdOf, THUMBNAIL_BUCKET } from "./support/pipeline";
import { solid } from "./support/images";
import { RecordStatus } from "../../contract/record";
import { FunctionPermissions } from "../../contract/permissions";

describe("lifecycle: deletes and replacements", function () {
  this.timeout(120_000);
  let pipeline: Pipeline;
  let photo: Buffer;
  let n = 0;
  /** A fresh key per test, so scenarios cannot see each other's records. */
  const key = (name: string) => `life/${++n}/${name}`;

  before(async () => {
    pipeline = await Pipeline.start({ thumbnailSizes: [128, 64] });
    photo = await solid(320, 240, "image/jpeg");
  });
  after(async () => {
    await pipeline?.close();
  });

  /**
   * No thumbnail object without a record that still owns it (SUCCEEDED, or REPLACED with its
   * thumbnails kept), and every such record's thumbnails present.
   */
  async function assertConsistent() {
    const objects = new Set(await pipeline.thumbnailKeys());
    const owned = new Set<string>();
    for (const record of await pipeline.records()) {
      const holds =
        record.Status === RecordStatus.Succeeded || (record.Status === RecordStatus.Replaced && record.ThumbnailsRemovedAt === undefined);
      for (const t of record.Thumbnails) {
        if (holds) {
          owned.add(t.Key);
          assert.ok(objects.has(t.Key), `${record.Status} record ${record.ImageID} (${record.SourceKey}) lists ${t.Key}, which is missing`);
        }
      }
    }
    for (const object of objects) assert.ok(owned.has(object), `thumbnail ${object} has no record that owns it`);
  }

  async function processed(name: string) {
    const created = await pipeline.upload(name, photo, "image/jpeg");
    const summary = await pipeline.invoke(event(created));
    assert.deepStrictEqual(
      summary.outcomes.map((o) => o.status),
      ["SUCCEEDED"],
    );
    return { created, imageId: imageIdOf(created) };
  }

  it("deletes the thumbnails of a deleted upload and marks its record DELETED with the delete's time and sequencer", async () => {
    const name = key("a.jpg");
    const { imageId } = await processed(name);
    const before = (await pipeline.record(imageId))!;
    assert.strictEqual(before.Thumbnails.length, 2);
    const removed = await pipeline.remove(name);

    const summary = await pipeline.invoke(event(removed));

    assert.deepStrictEqual(summary.removals, [{ status: "REMOVED", key: name, kind: "key", deleted: [imageId] }]);
    const after = (await pipeline.record(imageId))!;
    assert.strictEqual(after.Status, RecordStatus.Deleted);
    assert.strictEqual(after.DeleteSequencer, removed.s3.object.sequencer);
    assert.strictEqual(after.DeleteEventName, "ObjectRemoved:Delete");
    assert.ok(after.DeletedAt && after.ThumbnailsRemovedAt);
    assert.deepStrictEqual(after.Thumbnails, before.Thumbnails, "the record keeps its history");
    for (const t of before.Thumbnails) assert.strictEqual(await pipeline.thumbnailExists(t.Key), false, t.Key);
    await assertConsistent();
  });

  it("changes nothing on a duplicate delete", async () => {
    const name = key("twice.jpg");
    const { imageId } = await processed(name);
    const removed = await pipeline.remove(name);
    await pipeline.invoke(event(removed));
    const first = (await pipeline.record(imageId))!;

    const again = await pipeline.invoke(event(removed));

    assert.deepStrictEqual(again.removals[0].deleted, []);
    assert.deepStrictEqual(await pipeline.record(imageId), first);
    await assertConsistent();
  });

  it("does not resurrect an upload whose create event arrives after its delete was handled", async () => {
    const name = key("late-create.jpg");
    const created = await pipeline.upload(name, photo, "image/jpeg");
    const removed = await pipeline.remove(name);
    await pipeline.invoke(event(removed));

    const summary = await pipeline.invoke(event(created));

    assert.deepStrictEqual(summary.outcomes, [{ status: "SUPERSEDED", imageId: imageIdOf(created), as: RecordStatus.Deleted }]);
    const record = (await pipeline.record(imageIdOf(created)))!;
    assert.strictEqual(record.Status, RecordStatus.Deleted);
    assert.strictEqual(record.DeleteSequencer, removed.s3.object.sequencer);
    assert.deepStrictEqual(record.Thumbnails, []);
    assert.strictEqual(
      pipeline.calls.some((c) => c.command === "GetObjectCommand" && String(c.input.Key) === name),
      false,
      "the late upload is not even read",
    );
    await assertConsistent();
  });

  it("retires an upload whose delete is handled while the upload is being processed", async () => {
    const name = key("race.jpg");
    const created = await pipeline.upload(name, photo, "image/jpeg");
    const removed = await pipeline.remove(name, { keepObject: true });
    // The delete runs just before the upload claims its key (after its thumbnails and record
    // are written) and, as DynamoDB's eventually consistent index may, does not yet see the
    // new record in BySourceKey: the window the key's state item has to close.
    let raced = false;
    const dynamo = pipeline.handlerDynamo;
    const laggingIndex = new Proxy(dynamo, {
      get(target, prop, receiver) {
        if (prop !== "send") return Reflect.get(target, prop, receiver) as unknown;
        return async (command: { constructor: { name: string } }) =>
          command.constructor.name === "QueryCommand" ? { Items: [] } : target.send(command as never);
      },
    });
    const racing = new Proxy(dynamo, {
      get(target, prop, receiver) {
        if (prop !== "send") return Reflect.get(target, prop, receiver) as unknown;
        return async (command: { constructor: { name: string }; input: { UpdateExpression?: string } }) => {
          if (!raced && command.constructor.name === "UpdateItemCommand" && command.input.UpdateExpression?.includes("CurrentImageID")) {
            raced = true;
            const during = await pipeline.invoke(event(removed), {}, { dynamo: laggingIndex });
            assert.deepStrictEqual(during.removals[0].deleted, [], "neither the index nor the key's state knew the upload yet");
          }
          return target.send(command as never);
        };
      },
    });

    await pipeline.invoke(event(created), {}, { dynamo: racing });

    assert.ok(raced);
    const record = (await pipeline.record(imageIdOf(created)))!;
    assert.strictEqual(record.Status, RecordStatus.Deleted);
    assert.ok(record.ThumbnailsRemovedAt);
    for (const t of record.Thumbnails) assert.strictEqual(await pipeline.thumbnailExists(t.Key), false, t.Key);
    await assertConsistent();
  });

  it("never removes the thumbnails of an upload newer than the delete, whatever the delivery order", async () => {
    const name = key("newer.jpg");
    const older = await pipeline.upload(name, photo, "image/jpeg");
    const removed = await pipeline.remove(name, { keepObject: true });
    const { imageId: newerId } = await processed(name);

    // The older upload and the delete arrive after the newer upload succeeded.
    const late = await pipeline.invoke(event(removed));
    const lateCreate = await pipeline.invoke(event(older));

    assert.deepStrictEqual(late.removals[0].deleted, []);
    assert.deepStrictEqual(lateCreate.outcomes[0], { status: "SUPERSEDED", imageId: imageIdOf(older), as: RecordStatus.Deleted });
    const newer = (await pipeline.record(newerId))!;
    assert.strictEqual(newer.Status, RecordStatus.Succeeded);
    for (const t of newer.Thumbnails) assert.ok(await pipeline.thumbnailExists(t.Key), t.Key);
    assert.strictEqual((await pipeline.keyState(name))?.CurrentImageID, newerId);
    await assertConsistent();
  });

  it("replaces an older upload once a newer one succeeded: REPLACED, its thumbnails deleted, the newer one current", async () => {
    const name = key("replaced.jpg");
    const { imageId: oldId } = await processed(name);
    const { imageId: newId } = await processed(name);

    const old = (await pipeline.record(oldId))!;
    assert.strictEqual(old.Status, RecordStatus.Replaced);
    assert.strictEqual(old.ReplacedBy, newId);
    assert.ok(old.ReplacedAt && old.ThumbnailsRemovedAt);
    for (const t of old.Thumbnails) assert.strictEqual(await pipeline.thumbnailExists(t.Key), false, t.Key);
    assert.strictEqual((await pipeline.record(newId))?.Status, RecordStatus.Succeeded);
    assert.strictEqual((await pipeline.keyState(name))?.CurrentImageID, newId);
    await assertConsistent();
  });

  it("records a late older upload as REPLACED without processing it when a newer one already succeeded", async () => {
    const name = key("late-old.jpg");
    const older = await pipeline.upload(name, photo, "image/jpeg");
    const { imageId: newId } = await processed(name);

    const summary = await pipeline.invoke(event(older));

    assert.deepStrictEqual(summary.outcomes, [{ status: "SUPERSEDED", imageId: imageIdOf(older), as: RecordStatus.Replaced }]);
    assert.strictEqual((await pipeline.record(imageIdOf(older)))?.ReplacedBy, newId);
    assert.strictEqual((await pipeline.keyState(name))?.CurrentImageID, newId);
    await assertConsistent();
  });

  it("keeps a replaced upload's thumbnails with keepReplacedThumbnails, and a delete of the key then removes them all", async () => {
    const name = key("kept.jpg");
    const keep = { keepReplacedThumbnails: true };
    const first = await pipeline.upload(name, photo, "image/jpeg");
    await pipeline.invoke(event(first), keep);
    const second = await pipeline.upload(name, photo, "image/jpeg");
    await pipeline.invoke(event(second), keep);

    const old = (await pipeline.record(imageIdOf(first)))!;
    assert.strictEqual(old.Status, RecordStatus.Replaced);
    assert.strictEqual(old.ThumbnailsRemovedAt, undefined);
    for (const t of old.Thumbnails) assert.ok(await pipeline.thumbnailExists(t.Key), t.Key);
    await assertConsistent();

    const removed = await pipeline.remove(name);
    const summary = await pipeline.invoke(event(removed), keep);

    assert.deepStrictEqual([...summary.removals[0].deleted].sort(), [imageIdOf(first), imageIdOf(second)].sort());
    for (const created of [first, second]) assert.strictEqual((await pipeline.record(imageIdOf(created)))?.Status, RecordStatus.Deleted);
    await assertConsistent();
  });

  it("leaves a FAILED upload FAILED when its key is deleted", async () => {
    const name = key("broken.jpg");
    const created = await pipeline.upload(name, Buffer.from("not an image"));
    await pipeline.invoke(event(created));
    const removed = await pipeline.remove(name);

    const summary = await pipeline.invoke(event(removed));

    assert.deepStrictEqual(summary.removals[0].deleted, []);
    assert.strictEqual((await pipeline.record(imageIdOf(created)))?.Status, RecordStatus.Failed);
    await assertConsistent();
  });

  describe("a versioned source bucket", () => {
    // s3rver keeps no versions: the objects stay in place and the events name versions, which
    // is all the removal handling reads (it never reads the source).
    async function processedVersion(name: string, versionId: string) {
      const created = await pipeline.upload(name, photo, "image/jpeg");
      const versioned = { ...created, s3: { ...created.s3, object: { ...created.s3.object, versionId } } };
      const summary = await pipeline.invoke(event(versioned), { keepReplacedThumbnails: true }, { s3: unversionedReads() });
      assert.deepStrictEqual(
        summary.outcomes.map((o) => o.status),
        ["SUCCEEDED"],
      );
      return imageIdOf(versioned);
    }
    /** The handler's S3 client with GetObject's VersionId dropped (s3rver answers versioned reads with 404). */
    function unversionedReads() {
      const s3 = pipeline.handlerS3;
      return new Proxy(s3, {
        get(target, prop, receiver) {
          if (prop !== "send") return Reflect.get(target, prop, receiver) as unknown;
          return (command: { input: Record<string, unknown> }) => {
            if ("VersionId" in command.input) delete command.input.VersionId;
            return target.send(command as never);
          };
        },
      });
    }

    it("treats a delete marker as a delete of the key's current upload", async () => {
      const name = key("marker.jpg");
      const imageId = await processedVersion(name, "v1");
      const marker = await pipeline.remove(name, {
        eventName: "ObjectRemoved:DeleteMarkerCreated",
        versionId: "marker-1",
        keepObject: true,
      });

      const summary = await pipeline.invoke(event(marker));

      assert.deepStrictEqual(summary.removals, [{ status: "REMOVED", key: name, kind: "key", deleted: [imageId] }]);
      assert.strictEqual((await pipeline.record(imageId))?.Status, RecordStatus.Deleted);
      await assertConsistent();
    });

    it("deletes only the named version's thumbnails when one version is deleted", async () => {
      const name = key("versions.jpg");
      const v1 = await processedVersion(name, "v1");
      const v2 = await processedVersion(name, "v2");
      const v3 = await processedVersion(name, "v3");
      const gone = await pipeline.remove(name, { versionId: "v1", keepObject: true });

      const summary = await pipeline.invoke(event(gone));

      assert.deepStrictEqual(summary.removals, [{ status: "REMOVED", key: name, kind: "version", deleted: [v1] }]);
      assert.strictEqual((await pipeline.record(v1))?.Status, RecordStatus.Deleted);
      assert.strictEqual((await pipeline.record(v2))?.Status, RecordStatus.Replaced, "kept thumbnails, untouched");
      assert.strictEqual((await pipeline.record(v3))?.Status, RecordStatus.Succeeded);
      assert.strictEqual((await pipeline.keyState(name))?.CurrentImageID, v3);
      await assertConsistent();

      // Deleting the current version leaves the key with no current upload.
      const current = await pipeline.remove(name, { versionId: "v3", keepObject: true });
      const second = await pipeline.invoke(event(current));
      assert.deepStrictEqual(second.removals[0].deleted, [v3]);
      assert.strictEqual((await pipeline.keyState(name))?.CurrentImageID, undefined);
      await assertConsistent();
    });

    it("does not resurrect a deleted version whose create event arrives late", async () => {
      const name = key("late-version.jpg");
      const created = await pipeline.upload(name, photo, "image/jpeg");
      const versioned = { ...created, s3: { ...created.s3, object: { ...created.s3.object, versionId: "v9" } } };
      const gone = await pipeline.remove(name, { versionId: "v9", keepObject: true });
      await pipeline.invoke(event(gone));

      const summary = await pipeline.invoke(event(versioned), {}, { s3: unversionedReads() });

      assert.deepStrictEqual(summary.outcomes, [{ status: "SUPERSEDED", imageId: imageIdOf(versioned), as: RecordStatus.Deleted }]);
      await assertConsistent();
    });
  });

  it("uses only granted actions, deletes only in the thumbnail bucket and queries only the BySourceKey index", () => {
    const actionOf: Record<string, string> = {
      GetObjectCommand: "s3:GetObject",
      PutObjectCommand: "s3:PutObject",
      DeleteObjectCommand: "s3:DeleteObject",
      HeadObjectCommand: "s3:GetObject",
      ListObjectsV2Command: "s3:ListBucket",
      GetItemCommand: "dynamodb:GetItem",
      PutItemCommand: "dynamodb:PutItem",
      UpdateItemCommand: "dynamodb:UpdateItem",
      QueryCommand: "dynamodb:Query",
    };
    const granted = new Set<string>(Object.values(FunctionPermissions).flat());
    const used = new Set(pipeline.calls.map((c) => c.command));
    for (const command of ["DeleteObjectCommand", "UpdateItemCommand", "QueryCommand"])
      assert.ok(used.has(command), `${command} was exercised`);
    for (const call of pipeline.calls) {
      assert.ok(granted.has(actionOf[call.command]), `${call.command} is not a granted action`);
      if (call.command === "DeleteObjectCommand") assert.strictEqual(call.input.Bucket, THUMBNAIL_BUCKET);
      if (call.command === "QueryCommand") assert.strictEqual(call.input.IndexName, "BySourceKey");
    }
  });
});
