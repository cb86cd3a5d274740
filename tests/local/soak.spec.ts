/**
 * The soak (local/soak/): a reduced run with every fault kind on must end with a clean audit
 * and show that each kind was injected; and the audit must catch a broken end state, or it
 * could not fail.
 */
import { strict as assert } from "assert";
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { DeleteItemCommand } from "@aws-sdk/client-dynamodb";
import { Table } from "../../contract/table";
import { FAULT_KIND_NAMES, NO_FAULTS, parseFaultSpec } from "../../local/faults/spec";
import { audit, type AuditResult } from "../../local/soak/audit";
import { makeImagePool, planUploads, type SoakImage } from "../../local/soak/corpus";
import { runSoak, type SoakState } from "../../local/soak/soakRun";

const EVERY_FAULT = "s3-get=0.05,s3-put=0.05,dynamodb=0.05,throttle=0.05,crash=0.02,duplicate=0.1,reorder";

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("soak", function () {
  this.timeout(300_000);
  let pool: { valid: SoakImage[]; hostile: SoakImage[] };
  before(async () => (pool = await makeImagePool()));

  it("keeps the promise under every fault kind: 300 uploads, none lost, no orphans, audit clean, each kind injected", async () => {
    let result: AuditResult | undefined;
    let injected: Record<string, number> = {};
    await runSoak(
      planUploads(300, pool, 18),
      { stack: "dev", concurrency: 2, faults: parseFaultSpec(EVERY_FAULT), seed: 18 },
      () => undefined,
      async (state) => {
        result = await audit(state);
        injected = state.faults.counts.toJSON();
      },
    );
    const { figures, problems } = result!;
    assert.deepEqual(problems, []);
    assert.equal(figures.uploads, 300);
    assert.equal(figures.lost, 0);
    assert.equal(figures.orphanedThumbnails, 0);
    assert.equal(figures.succeeded + figures.replaced + figures.failed + figures.deadLettered, 300);
    for (const kind of FAULT_KIND_NAMES)
      assert.ok(injected[kind] > 0, `fault kind ${kind} was never injected: ${JSON.stringify(injected)}`);
    // What the faults did: crashed attempts were retried, duplicates were delivered and absorbed.
    assert.ok(figures.crashedInvocations > 0 && figures.retries >= figures.crashedInvocations, JSON.stringify(figures));
    assert.equal(figures.duplicatesDelivered, injected.duplicate);
    assert.ok(figures.duplicatesAbsorbed >= figures.duplicatesDelivered, JSON.stringify(figures));
    // The run held every kind of upload: successes, each hostile verdict, overwritten keys (older
    // uploads REPLACED by their newer one, docs/lifecycle.md).
    assert.ok(figures.keysUploadedSeveralTimes > 0 && figures.replaced > 0, JSON.stringify(figures));
    for (const reason of ["CorruptImage", "TooManyPixels", "UnsupportedFormat", "EmptyObject"]) {
      assert.ok(figures.failedByReason[reason] > 0, `no ${reason} in ${JSON.stringify(figures.failedByReason)}`);
    }
  });

  it("dead-letters every event whose every attempt failed, with its original event, counts those uploads dead-lettered, and one whose message is gone as lost", async () => {
    const plan = planUploads(8, pool, 5)
      .filter((u) => u.ofKey === 1)
      .map((u, index) => ({ ...u, index }));
    let first: AuditResult | undefined;
    let dropped: AuditResult | undefined;
    let messages = 0;
    let attempts: number[] = [];
    await runSoak(
      plan,
      // Every DynamoDB request fails: no attempt can read or write a record.
      { stack: "dev", concurrency: 2, faults: parseFaultSpec("dynamodb=1"), seed: 5 },
      () => undefined,
      async (state) => {
        first = await audit(state);
        messages = state.deadLetters.messages.length;
        attempts = state.traces.map((t) => t.deliveries[0].attempts.length);
        state.deadLetters.messages.pop();
        dropped = await audit(state);
      },
    );
    assert.deepEqual(first!.problems, []);
    assert.deepEqual(
      attempts,
      plan.map(() => 3),
    );
    assert.equal(messages, plan.length);
    assert.equal(first!.figures.deadLettered, plan.length);
    assert.equal(first!.figures.lost, 0);
    assert.equal(dropped!.figures.lost, 1);
    assert.match(dropped!.problems.join("\n"), /no record and no dead-letter message: lost/);
  });

  it("detects a broken end state: a thumbnail deleted or corrupted, a record deleted, a stray thumbnail object", async () => {
    let before: AuditResult | undefined;
    let after: AuditResult | undefined;
    const tampered = { missing: "", corrupted: "", recordDeleted: "", orphan: "", stray: "0123456789abcdef0123456789abcdef/256.jpg" };
    await runSoak(
      planUploads(60, pool, 9),
      { stack: "dev", concurrency: 2, faults: NO_FAULTS, seed: 9 },
      () => undefined,
      async (state: SoakState) => {
        before = await audit(state);
        const { emulators, stack } = state;
        const succeeded = [...before.records.values()].filter((r) => r.Status === "SUCCEEDED");
        tampered.missing = succeeded[0].Thumbnails[0].Key;
        tampered.corrupted = succeeded[1].Thumbnails[0].Key;
        tampered.recordDeleted = succeeded[2].ImageID;
        tampered.orphan = succeeded[2].Thumbnails[0].Key;
        await emulators.s3.send(new DeleteObjectCommand({ Bucket: stack.thumbnailBucketName, Key: tampered.missing }));
        await emulators.s3.send(
          new PutObjectCommand({
            Bucket: stack.thumbnailBucketName,
            Key: tampered.corrupted,
            Body: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
            ContentType: "image/jpeg",
          }),
        );
        await emulators.dynamo.send(
          new DeleteItemCommand({ TableName: stack.tableName, Key: { [Table.partitionKey]: { S: tampered.recordDeleted } } }),
        );
        await emulators.s3.send(new PutObjectCommand({ Bucket: stack.thumbnailBucketName, Key: tampered.stray, Body: "x" }));
        after = await audit(state);
      },
    );
    assert.deepEqual(before!.problems, [], "the run itself was clean");
    const problems = after!.problems.join("\n");
    assert.equal(after!.clean, false);
    assert.match(
      problems,
      new RegExp(`thumbnail ${escape(tampered.missing)}, listed in its SUCCEEDED record, is not in the thumbnail bucket`),
    );
    assert.match(problems, new RegExp(`thumbnail ${escape(tampered.corrupted)} cannot be decoded`));
    assert.match(problems, new RegExp(`ImageID ${tampered.recordDeleted}\\): no record and no dead-letter message: lost`));
    assert.match(problems, new RegExp(`thumbnail object ${escape(tampered.orphan)}: no record ${tampered.recordDeleted}`));
    assert.match(problems, new RegExp(`thumbnail object ${escape(tampered.stray)}: no record`));
    assert.equal(after!.figures.lost, 1);
    assert.equal(after!.figures.orphanedThumbnails, 2);
  });
});
