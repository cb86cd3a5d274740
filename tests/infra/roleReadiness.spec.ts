import * as assert from "assert";
import {
  MAX_ROLE_PROPAGATION_SECONDS,
  RoleReadiness,
  RoleReadinessState,
  policyDigestOf,
  roleReadinessProvider,
} from "../../infra/compute/roleReadiness";
import { one, STACKS, stackRun } from "../helpers/program";

const WAIT = "pulumi-nodejs:dynamic:Resource";

describe("Role readiness (IAM propagation before Lambda sees the role)", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("waits on the execution role, and names the role and a digest of its inline policy", async () => {
        const run = await stackRun(stack);
        const role = one(run, "aws-native:iam:Role");
        const wait = one(run, WAIT, "role-ready");
        assert.ok(wait.dependencies.includes(role.urn), "the wait starts after the role and its policy exist");
        assert.strictEqual(wait.inputs.roleArn, role.state.arn);
        assert.strictEqual(wait.inputs.policyDigest, policyDigestOf(role.inputs.policies));
        assert.ok(wait.inputs.waitSeconds > 0 && wait.inputs.waitSeconds <= MAX_ROLE_PROPAGATION_SECONDS);
      });

      it("serialises a self-contained provider: the dynamic provider host loads no module of this repository", async () => {
        const provider = String(one(await stackRun(stack), WAIT, "role-ready").inputs.__provider);
        assert.match(provider, /create/);
        assert.doesNotMatch(provider, /require\(/, "a require would have to resolve at `pulumi up`, outside this checkout's ts-node");
      });

      it("holds back the function and its asynchronous-invocation config until the wait is over", async () => {
        const run = await stackRun(stack);
        const wait = one(run, WAIT, "role-ready");
        for (const type of ["aws-native:lambda:Function", "aws-native:lambda:EventInvokeConfig"]) {
          assert.ok(one(run, type).dependsOn.includes(wait.urn), `${type} depends on the role-readiness wait`);
        }
      });
    });
  }

  describe("provider", () => {
    const state = (over: Partial<RoleReadinessState> = {}): RoleReadinessState => ({
      roleArn: "arn:aws:iam::1:role/r",
      policyDigest: "a",
      waitSeconds: 0.2,
      ...over,
    });
    const timed = async (f: () => Promise<unknown>) => {
      const start = Date.now();
      await f();
      return Date.now() - start;
    };

    it("waits the given time when it is created", async () => {
      assert.ok((await timed(() => roleReadinessProvider.create(state()))) >= 150);
    });

    it("waits again when the role or its policy changes, not when nothing that propagates changed", async () => {
      const update = roleReadinessProvider.update!;
      assert.ok((await timed(() => update("id", state(), state({ policyDigest: "b" })))) >= 150, "new policy");
      assert.ok((await timed(() => update("id", state(), state({ roleArn: "arn:aws:iam::1:role/s" })))) >= 150, "new role");
      assert.ok((await timed(() => update("id", state({ waitSeconds: 5 }), state()))) < 100, "only the wait's length changed");
    });

    it("reports a change whenever the role, its policy or the wait changes", async () => {
      const diff = roleReadinessProvider.diff!;
      assert.strictEqual((await diff("id", state(), state())).changes, false);
      assert.strictEqual((await diff("id", state(), state({ policyDigest: "b" }))).changes, true);
      assert.strictEqual((await diff("id", state(), state({ waitSeconds: 1 }))).changes, true);
    });

    it("digests a policy the same whatever order its keys come in, and differently when a value changes", () => {
      const a = [
        {
          policyName: "p",
          policyDocument: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }],
          },
        },
      ];
      const reordered = [
        {
          policyDocument: {
            Statement: [{ Resource: "arn:aws:s3:::b/*", Action: ["s3:GetObject"], Effect: "Allow" }],
            Version: "2012-10-17",
          },
          policyName: "p",
        },
      ];
      const changed = [
        {
          policyName: "p",
          policyDocument: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::c/*" }],
          },
        },
      ];
      assert.strictEqual(policyDigestOf(reordered), policyDigestOf(a));
      assert.notStrictEqual(policyDigestOf(changed), policyDigestOf(a));
    });

    it("refuses a wait beyond its bound, naming the value and the rule", () => {
      assert.throws(
        () => new RoleReadiness("w", { roleArn: "arn", policies: [], waitSeconds: MAX_ROLE_PROPAGATION_SECONDS + 1 }),
        new RegExp(`w: waitSeconds ${MAX_ROLE_PROPAGATION_SECONDS + 1} is not allowed; .* from 0 to ${MAX_ROLE_PROPAGATION_SECONDS}`),
      );
    });
  });
});
