/**
 * The pack as the Pulumi CLI runs it: @pulumi/pulumi's run-policy-pack entry point (the one the
 * Node.js language host starts for `--policy-pack policy`, which type-checks policy/ with its
 * tsconfig.json) serving the analyzer gRPC protocol on loopback; the test speaks that protocol as the engine does, sending
 * the program's resources the way the engine sends them (camelCase SDK property names, unknown
 * values as the engine's sentinel) and reading back the diagnostics the CLI would print.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { policies } from "../../policy/policies";
import { runProgram } from "../../tools/harness/programUnderMocks";
import { engineShape } from "./engine";

/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require("@grpc/grpc-js");
const analyzerpb = require("@pulumi/pulumi/proto/analyzer_pb");
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

type Any = Record<string, any>;
const LEVEL_NAMES = ["advisory", "mandatory", "disabled", "remediate"];

interface Diagnostic {
  policy: string;
  level: string;
  urn: string;
  message: string;
}

interface Resource {
  type: string;
  name: string;
  urn: string;
  props: Any;
}

function call<T>(client: Any, method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](request, (err: Error | null, response: T) => (err ? reject(err) : resolve(response))),
  );
}

function toAnalyzerResource(r: Resource, kind: "AnalyzeRequest" | "AnalyzerResource"): Any {
  const message = new analyzerpb[kind]();
  message.setType(r.type);
  message.setName(r.name);
  message.setUrn(r.urn);
  message.setProperties(Struct.fromJavaScript(engineShape(r.props)));
  message.setOptions(new analyzerpb.AnalyzerResourceOptions());
  return message;
}

function diagnostics(response: Any): Diagnostic[] {
  return response.getDiagnosticsList().map((d: Any) => ({
    policy: d.getPolicyname(),
    level: LEVEL_NAMES[d.getEnforcementlevel()],
    urn: d.getUrn(),
    message: d.getMessage(),
  }));
}

describe("policy pack served to the engine (policy/index.ts over the analyzer protocol)", function () {
  this.timeout(120000);
  let child: ChildProcess;
  let client: Any;
  let dev: Resource[];

  before(async () => {
    const packDir = path.resolve(__dirname, "..", "..", "policy");
    const entry = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    // Arguments as the language host passes them: the engine's address (unused by a pack), then the pack.
    child = spawn(process.execPath, [entry, "127.0.0.1:0", "."], { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    // Like the engine: the pack prints the port it listens on as its first line.
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (chunk) => {
        out += chunk;
        const line = /^(\d+)\s*$/m.exec(out);
        if (line) resolve(Number(line[1]));
      });
      child.once("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
    });
    client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const run = await runProgram({
      stack: "dev",
      preview: true,
      mocks: { newResource: (args) => ({ id: undefined, state: { ...args.inputs } }) },
    });
    dev = run.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs }));
  });

  after(async () => {
    client?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    }
  });

  it("announces every policy with its enforcement level and config schema", async () => {
    const info = await call<Any>(client, "getAnalyzerInfo", new Empty());
    assert.strictEqual(info.getName(), "thumbnail-pipeline-guardrails");
    const levels = Object.fromEntries(info.getPoliciesList().map((p: Any) => [p.getName(), LEVEL_NAMES[p.getEnforcementlevel()]]));
    assert.strictEqual(levels["iam-least-privilege"], "mandatory");
    assert.strictEqual(levels["lambda-arm64"], "advisory");
    assert.deepStrictEqual(Object.keys(levels).sort(), policies.map((p) => p.name).sort());
    const protection = info.getPoliciesList().find((p: Any) => p.getName() === "dynamodb-production-protection");
    assert.ok(protection.getConfigschema().getProperties().toJavaScript().productionEnvironments);
  });

  it("reports nothing for any resource the dev stack registers, as sent during a preview", async () => {
    const found: Diagnostic[] = [];
    for (const resource of dev) found.push(...diagnostics(await call(client, "analyze", toAnalyzerResource(resource, "AnalyzeRequest"))));
    assert.deepStrictEqual(found, []);
  });

  it("reports a mandatory violation for a role granting a wildcard", async () => {
    const role = dev.find((r) => r.type === "aws-native:iam:Role")!;
    const props = JSON.parse(JSON.stringify(role.props)) as Any;
    props.policies[0].policyDocument.Statement.push({
      Effect: "Allow",
      Action: "dynamodb:*",
      Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/t",
    });
    const found = diagnostics(await call(client, "analyze", toAnalyzerResource({ ...role, props }, "AnalyzeRequest")));
    assert.strictEqual(found.length, 1);
    // The engine attaches a resource diagnostic to the resource it sent, so the URN stays empty.
    assert.deepStrictEqual([found[0].policy, found[0].level], ["iam-least-privilege", "mandatory"]);
    assert.match(found[0].message, /wildcard action "dynamodb:\*"/);
  });

  it("runs the stack rules over the whole stack, pinning a missing TLS policy to its bucket", async () => {
    const request = (resources: Resource[]) => {
      const message = new analyzerpb.AnalyzeStackRequest();
      message.setResourcesList(resources.map((r) => toAnalyzerResource(r, "AnalyzerResource")));
      return message;
    };
    assert.deepStrictEqual(diagnostics(await call(client, "analyzeStack", request(dev))), []);
    const withoutPolicies = dev.filter((r) => r.type !== "aws-native:s3:BucketPolicy");
    const found = diagnostics(await call(client, "analyzeStack", request(withoutPolicies)));
    const buckets = dev
      .filter((r) => r.type === "aws-native:s3:Bucket")
      .map((r) => r.urn)
      .sort();
    assert.deepStrictEqual(found.map((d) => d.urn).sort(), buckets);
    assert.ok(found.every((d) => d.policy === "s3-bucket-tls-only" && d.level === "mandatory"));
  });
});
