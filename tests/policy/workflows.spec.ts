import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { readDoc } from "../helpers/docs";

const ROOT = path.resolve(__dirname, "..", "..");
type Any = Record<string, any>;

function load(file: string): Any {
  return YAML.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as Any;
}

interface Step {
  uses?: string;
  run?: string;
  with?: Any;
  env?: Any;
}

function steps(job: Any): Step[] {
  return (job.steps ?? []) as Step[];
}

function pulumiSteps(job: Any): Step[] {
  return steps(job).filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command);
}

/** The jobs a job waits for, transitively. */
function upstream(workflow: Any, jobName: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    for (const need of ([] as string[]).concat(workflow.jobs[name].needs ?? [])) {
      if (!seen.has(need)) {
        seen.add(need);
        visit(need);
      }
    }
  };
  visit(jobName);
  return seen;
}

const WORKFLOWS = [".github/workflows/pull-request.yml", ".github/workflows/deploy.yml"];

describe("delivery workflows", () => {
  describe("pull requests", () => {
    const workflow = load(".github/workflows/pull-request.yml");

    it("runs on pull requests to main", () => {
      assert.deepStrictEqual(workflow.on.pull_request.branches, ["main"]);
      assert.strictEqual(workflow.on.push, undefined);
    });

    it("may mint an OIDC token and comment on the pull request, and nothing more", () => {
      assert.deepStrictEqual(workflow.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
    });

    it("installs and runs the test suite", () => {
      const test = workflow.jobs.test;
      assert.ok(steps(test).some((s) => s.uses === "./.github/actions/prepare"));
      assert.ok(steps(test).some((s) => s.run === "npm test"));
    });

    it("previews dev and prod with the policy pack after the tests pass, commenting each preview", () => {
      const preview = workflow.jobs.preview;
      assert.deepStrictEqual(preview.strategy.matrix.stack, ["dev", "prod"]);
      assert.ok(upstream(workflow, "preview").has("test"));
      const [pulumi] = pulumiSteps(preview);
      assert.strictEqual(pulumi.with!.command, "preview");
      assert.match(pulumi.with!["stack-name"], /\$\{\{ matrix\.stack \}\}$/);
      assert.strictEqual(pulumi.with!.policyPacks, "policy");
      assert.strictEqual(pulumi.with!["comment-on-pr"], true);
      assert.match(pulumi.env!.PULUMI_ACCESS_TOKEN, /secrets\.PULUMI_ACCESS_TOKEN/);
    });
  });

  describe("push to main", () => {
    const workflow = load(".github/workflows/deploy.yml");

    it("runs on pushes to main only", () => {
      assert.deepStrictEqual(workflow.on.push.branches, ["main"]);
      assert.strictEqual(workflow.on.pull_request, undefined);
    });

    it("may mint an OIDC token and read the repository, and nothing more", () => {
      assert.deepStrictEqual(workflow.permissions, { contents: "read", "id-token": "write" });
    });

    it("never cancels a deployment halfway", () => {
      assert.strictEqual(workflow.concurrency["cancel-in-progress"], false);
    });

    it("updates dev after the tests, with the policy pack", () => {
      const dev = workflow.jobs.dev;
      assert.ok(upstream(workflow, "dev").has("test"));
      const [up] = pulumiSteps(dev);
      assert.strictEqual(up.with!.command, "up");
      assert.match(up.with!["stack-name"], /dev$/);
      assert.strictEqual(up.with!.policyPacks, "policy");
    });

    it("updates prod only after dev, behind the prod environment's manual approval", () => {
      const prod = workflow.jobs.prod;
      assert.strictEqual(prod.environment, "prod");
      assert.ok(upstream(workflow, "prod").has("dev"), "prod waits for dev");
      const [up] = pulumiSteps(prod);
      assert.strictEqual(up.with!.command, "up");
      assert.match(up.with!["stack-name"], /prod$/);
      assert.strictEqual(up.with!.policyPacks, "policy");
      const updates = Object.entries(workflow.jobs as Record<string, Any>).filter(([, job]) =>
        pulumiSteps(job).some((s) => s.with!.command === "up" && /prod$/.test(s.with!["stack-name"])),
      );
      assert.deepStrictEqual(
        updates.map(([name]) => name),
        ["prod"],
        "no other job updates prod",
      );
    });

    for (const stack of ["dev", "prod"]) {
      it(`runs the preflight checks for ${stack} with the deploy credentials, before its \`pulumi up\``, () => {
        const job = workflow.jobs[stack];
        const all = steps(job);
        const preflight = all.findIndex((s) => s.run?.trim() === `npm run preflight -- --stack ${stack}`);
        const credentials = all.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        const up = all.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");
        assert.ok(preflight >= 0, `${stack} runs npm run preflight -- --stack ${stack}`);
        assert.ok(credentials < preflight && preflight < up, "after the AWS credentials, before the update");
      });
    }
  });

  describe("every workflow", () => {
    for (const file of WORKFLOWS) {
      const workflow = load(file);

      it(`${path.basename(file)}: runs every pulumi command with the policy pack`, () => {
        const commands = Object.values(workflow.jobs as Record<string, Any>).flatMap(pulumiSteps);
        assert.ok(commands.length > 0);
        for (const step of commands) assert.strictEqual(step.with!.policyPacks, "policy", JSON.stringify(step.with));
      });

      it(`${path.basename(file)}: reaches AWS by assuming a role through OIDC, never with stored keys`, () => {
        const text = fs.readFileSync(path.join(ROOT, file), "utf8");
        assert.doesNotMatch(text, /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
        for (const [name, job] of Object.entries(workflow.jobs as Record<string, Any>)) {
          if (pulumiSteps(job).length === 0) continue;
          const credentials = steps(job).filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
          assert.strictEqual(credentials.length, 1, `${name} configures AWS credentials once`);
          const role = credentials[0].with!["role-to-assume"] as string;
          assert.match(role, /^\$\{\{ .*\}\}$/, `${name} takes the role from configuration`);
          const roles = [...role.matchAll(/vars\.(AWS_\w+_ROLE_ARN\w*)/g)].map((m) => m[1]);
          assert.ok(roles.length > 0, `${name} names the role variable(s)`);
          const deploys = pulumiSteps(job).some((s) => s.with!.command === "up");
          for (const r of roles)
            assert.match(
              r,
              deploys ? /^AWS_DEPLOY_ROLE_ARN$/ : /^AWS_PREVIEW_ROLE_ARN_(DEV|PROD)$/,
              `${name}: ${deploys ? "updates use the environment's deploy role" : "previews use a preview role"}`,
            );
          const order = steps(job);
          assert.ok(order.indexOf(credentials[0]) < order.indexOf(pulumiSteps(job)[0]), `${name} assumes the role before running pulumi`);
        }
      });
    }
  });

  describe("the pieces the workflows rely on", () => {
    it("the shared set-up installs the program and the policy pack from their lockfiles", () => {
      const prepare = load(".github/actions/prepare/action.yml");
      const runs = (prepare.runs.steps as Step[]).map((s) => s.run).filter(Boolean);
      assert.ok(runs.includes("npm ci"));
      assert.ok(runs.includes("npm ci --prefix policy"));
      assert.ok(fs.existsSync(path.join(ROOT, "policy", "package-lock.json")));
      assert.ok(fs.existsSync(path.join(ROOT, "policy", "PulumiPolicy.yaml")));
    });

    it("the pack runs on the same @pulumi/pulumi as the program", () => {
      const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package-lock.json"), "utf8")) as Any;
      const root = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as Any;
      assert.strictEqual(lock.packages["node_modules/@pulumi/pulumi"].version, root.version);
    });

    it("docs/delivery.md documents every secret and variable the workflows read", () => {
      const doc = readDoc("docs/delivery.md");
      const names = new Set<string>();
      for (const file of WORKFLOWS) {
        for (const match of fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/\b(?:secrets|vars)\.([A-Z_]+)/g)) names.add(match[1]);
      }
      names.delete("GITHUB_TOKEN"); // provided by GitHub
      assert.ok(names.has("PULUMI_ACCESS_TOKEN") && names.has("AWS_DEPLOY_ROLE_ARN"));
      for (const name of names) assert.ok(doc.includes(`\`${name}\``), `docs/delivery.md documents ${name}`);
    });
  });
});
