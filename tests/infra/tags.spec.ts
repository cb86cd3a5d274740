import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { StackTags } from "../../infra/tags";
import { customResources, REPO_ROOT, runWith, STACKS, stackRun, type RegisteredResource } from "../helpers/program";

/** Whether the provider SDK declares a `tags` input for this resource type (read from its typings). */
function takesTags(type: string): boolean {
  // A Pulumi dynamic resource (the role-readiness wait) exists only in Pulumi's state: nothing to tag.
  if (type === "pulumi-nodejs:dynamic:Resource") return false;
  const [pkg, mod, name] = type.split(":");
  const dir = pkg === "aws-native" ? "aws-native" : "aws";
  const modulePath = mod.split("/")[0];
  const file = path.join(REPO_ROOT, "node_modules", "@pulumi", dir, modulePath, `${name[0].toLowerCase()}${name.slice(1)}.d.ts`);
  const text = fs.readFileSync(file, "utf8");
  const args = new RegExp(`export interface ${name}Args \\{([\\s\\S]*?)\\n\\}`).exec(text);
  assert.ok(args, `${name}Args found in ${file}`);
  return /\n\s+tags\?:/.test(args[1]);
}

function tagsOf(r: RegisteredResource): Record<string, string> | undefined {
  const t = r.inputs.tags;
  if (t === undefined) return undefined;
  if (Array.isArray(t)) return Object.fromEntries(t.map((x: { key: string; value: string }) => [x.key, x.value]));
  return t as Record<string, string>;
}

describe("Tags", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("are on every taggable resource: Project, Environment, ManagedBy and the stack's extra tags", async () => {
        const run = await stackRun(stack);
        const extra = JSON.parse(run.config["thumbnail-pipeline:extraTags"] ?? "{}");
        let taggable = 0;
        for (const r of customResources(run)) {
          if (!takesTags(r.type)) continue;
          taggable++;
          assert.deepStrictEqual(
            tagsOf(r),
            { ...extra, Project: "thumbnail-pipeline", Environment: stack, ManagedBy: "pulumi" },
            `${r.type} ${r.name}`,
          );
        }
        assert.ok(taggable >= 9, `found ${taggable} taggable resources`);
      });

      it("use the shape each resource type takes (a {key, value} list, or a map)", async () => {
        const run = await stackRun(stack);
        for (const r of customResources(run).filter((x) => x.inputs.tags !== undefined)) {
          if (r.type.startsWith("aws-native:")) assert.ok(Array.isArray(r.inputs.tags), `${r.type} takes a list`);
          else assert.ok(!Array.isArray(r.inputs.tags) && typeof r.inputs.tags === "object", `${r.type} takes a map`);
        }
      });
    });
  }

  it("carry prod's extra tags in prod only", async () => {
    const prodTags = tagsOf(customResources(await stackRun("prod")).find((r) => r.type === "aws-native:lambda:Function")!);
    const devTags = tagsOf(customResources(await stackRun("dev")).find((r) => r.type === "aws-native:lambda:Function")!);
    assert.strictEqual(prodTags?.CostCenter, "media-platform");
    assert.strictEqual(devTags?.CostCenter, undefined);
  });

  it("carry extra tags from config overrides", async () => {
    const run = await runWith({ stack: "dev", config: { extraTags: { Team: "media", "cost:center": "42" } } });
    for (const r of customResources(run).filter((x) => takesTags(x.type))) {
      assert.strictEqual(tagsOf(r)?.Team, "media", r.name);
      assert.strictEqual(tagsOf(r)?.["cost:center"], "42", r.name);
    }
  });

  it("keep the function's code object within S3's 10 tags per object, standard tags first, so pulumi up does not fail with many extra tags", async () => {
    const extraTags = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`Extra${String(i).padStart(2, "0")}`, `v${i}`]));
    const run = await runWith({ stack: "dev", config: { extraTags } });
    const code = customResources(run).find((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2")!;
    const tags = tagsOf(code)!;
    assert.ok(Object.keys(tags).length <= 10, `${Object.keys(tags).length} tags on the code object`);
    assert.deepStrictEqual([tags.Project, tags.Environment, tags.ManagedBy], ["thumbnail-pipeline", "dev", "pulumi"]);
    // Every other resource still carries all 15.
    assert.strictEqual(Object.keys(tagsOf(customResources(run).find((r) => r.type === "aws-native:lambda:Function")!)!).length, 15);
  });

  describe("StackTags", () => {
    it("gives the same tags as a sorted list and as a map", () => {
      const tags = new StackTags({ project: "p", environment: "dev", extraTags: { Team: "a" } });
      assert.deepStrictEqual(tags.record, { Team: "a", Project: "p", Environment: "dev", ManagedBy: "pulumi" });
      assert.deepStrictEqual(tags.list, [
        { key: "Environment", value: "dev" },
        { key: "ManagedBy", value: "pulumi" },
        { key: "Project", value: "p" },
        { key: "Team", value: "a" },
      ]);
    });

    it("never lets extra tags replace the standard ones", () => {
      const tags = new StackTags({ project: "p", environment: "prod", extraTags: { Environment: "dev" } });
      assert.strictEqual(tags.record.Environment, "prod");
    });
  });
});
