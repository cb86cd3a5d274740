import * as assert from "assert";
import { STACKS, stackRun } from "../helpers/program";
import { engineUrns, readUrnList, urnListFile } from "../helpers/urns";

describe("Resource URNs", () => {
  for (const stack of STACKS) {
    describe(`${stack} stack`, () => {
      it("registers exactly the URNs in the committed list, so no change replaces a deployed resource", async () => {
        const actual = new Set(engineUrns(await stackRun(stack)));
        const committed = new Set(readUrnList(stack));
        const added = [...actual].filter((u) => !committed.has(u));
        const removed = [...committed].filter((u) => !actual.has(u));
        assert.ok(
          added.length === 0 && removed.length === 0,
          [
            `URNs of the ${stack} stack differ from ${urnListFile(stack)}:`,
            ...removed.map((u) => `  - ${u}   (pulumi up would DELETE this resource)`),
            ...added.map((u) => `  + ${u}   (pulumi up would CREATE this resource)`),
            "A renamed or moved resource needs `aliases`; a deliberate change regenerates the list (see tests/helpers/urns.ts).",
          ].join("\n"),
        );
      });
    });
  }

  it("qualifies a child's type with every ancestor's type, as the engine does", async () => {
    const urns = engineUrns(await stackRun("dev"));
    const bucket = urns.find((u) => u.endsWith("::thumbnail-pipeline-source-bucket"));
    assert.strictEqual(
      bucket,
      "urn:pulumi:dev::thumbnail-pipeline::thumbnails:pipeline:ThumbnailPipeline$thumbnails:storage:HardenedBucket$aws-native:s3:Bucket::thumbnail-pipeline-source-bucket",
    );
  });
});
