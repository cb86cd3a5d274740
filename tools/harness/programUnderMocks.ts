/**
 * Runs the real Pulumi program (index.ts) in-process under Pulumi mocks and returns everything
 * it registered — the shared harness for the infra, CloudFormation, policy and operations tests
 * and tools. No Pulumi CLI, no cloud account.
 *
 *   const run = await runProgram({ stack: "prod", config: { functionMemoryMb: 2048 } });
 *   run.resources.filter((r) => r.type === "aws-native:s3:Bucket");
 *   run.outputs.sourceBucketName;
 *
 * What it does, like the CLI:
 *  - config = Pulumi.yaml `config:` defaults, overlaid by Pulumi.<stack>.yaml, overlaid by
 *    `options.config`; keys without a namespace belong to the project; values reach the program
 *    as the CLI passes them (strings; lists and maps as JSON);
 *  - the program runs inside a root `pulumi:pulumi:Stack` resource; its exports are the outputs.
 *
 * What it captures per resource (RegisteredResource): the inputs the mock provider received, the
 * state the mock returned, and the resource options as sent to the engine — parent, protect,
 * retainOnDelete, every dependency (`dependencies`), and the explicitly declared `dependsOn`.
 * MockResourceArgs carries no options, so they are read from the RegisterResource request itself
 * (the mock monitor's `registerResource` is wrapped), and explicit dependsOn is recorded by a v1
 * stack transformation (`registerStackTransformation`, which runs in-process; the v2
 * `registerResourceTransform` is unavailable under mocks).
 *
 * Runs may follow each other in one process (dev, then prod, then dev with overrides); they must
 * not overlap (one Pulumi runtime per process): runProgram serialises them.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(REPO_ROOT, "index.ts");

/** Account id and partition the default mocks answer with. */
export const MOCK_ACCOUNT_ID = "123456789012";
export const MOCK_PARTITION = "aws";

export type ConfigValue = string | number | boolean | object;

export interface MockResourceArgs {
  type: string;
  name: string;
  inputs: Record<string, any>;
  provider?: string;
  custom?: boolean;
  id?: string;
}
export interface MockResourceResult {
  id: string | undefined;
  state: Record<string, any>;
}
export interface MockCallArgs {
  token: string;
  inputs: Record<string, any>;
  provider?: string;
}

export interface MockHooks {
  /**
   * Called for every resource with what the default mocks would answer; return a result to
   * answer differently, or undefined to keep the default.
   */
  newResource?: (args: MockResourceArgs, defaults: MockResourceResult) => MockResourceResult | undefined;
  /** Same for provider function calls (invokes such as aws-native:index:getAccountId). */
  call?: (args: MockCallArgs, defaults: Record<string, any>) => Record<string, any> | undefined;
}

export interface RunOptions {
  stack: "dev" | "prod" | string;
  /** Overrides, by key: "functionMemoryMb" (project namespace) or "aws-native:region". */
  config?: Record<string, ConfigValue>;
  mocks?: MockHooks;
  /** Run as `pulumi preview` (outputs of resources stay unknown). Default false. */
  preview?: boolean;
}

export interface RegisteredResource {
  urn: string;
  type: string;
  name: string;
  id: string | undefined;
  /** Inputs as the provider receives them; assets and archives as plain `{ kind, path | text | ... }`. */
  inputs: Record<string, any>;
  /** State the mock returned: inputs plus computed attributes (arn, names). */
  state: Record<string, any>;
  /** Parent URN (the Stack for top-level resources). */
  parent?: string;
  /** URNs named in the resource's dependsOn option (as declared, not expanded). */
  dependsOn: string[];
  /** Every URN the engine would wait for: dependsOn (components expanded) plus input dependencies. */
  dependencies: string[];
  retainOnDelete?: boolean;
  protect?: boolean;
  custom: boolean;
}

export interface ProgramRun {
  stack: string;
  project: string;
  /** The config the program saw, full keys ("thumbnail-pipeline:environment"), CLI-style strings. */
  config: Record<string, string>;
  resources: RegisteredResource[];
  outputs: Record<string, unknown>;
}

interface ProjectFile {
  name: string;
  config?: Record<string, { default?: unknown } | unknown>;
}

export function readProjectFile(root = REPO_ROOT): ProjectFile {
  return YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/** As the CLI hands config to a program: strings, with lists and maps as JSON. */
function cliString(value: ConfigValue): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function qualify(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** The config the CLI would give the program for `stack`, with `overrides` on top. */
export function stackConfig(stack: string, overrides: Record<string, ConfigValue> = {}, root = REPO_ROOT): Record<string, string> {
  const project = readProjectFile(root);
  const config: Record<string, string> = {};
  for (const [key, declaration] of Object.entries(project.config ?? {})) {
    const def =
      declaration !== null && typeof declaration === "object" && "default" in declaration
        ? (declaration as { default?: unknown }).default
        : undefined;
    if (def !== undefined) config[qualify(project.name, key)] = cliString(def as ConfigValue);
  }
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  if (fs.existsSync(stackFile)) {
    const parsed = (YAML.parse(fs.readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, ConfigValue> };
    for (const [key, value] of Object.entries(parsed.config ?? {})) config[qualify(project.name, key)] = cliString(value);
  }
  for (const [key, value] of Object.entries(overrides)) config[qualify(project.name, key)] = cliString(value);
  return config;
}

const SERVICE_OF_TYPE = /^aws-native:([a-z0-9]+):/;

/** Plausible provider state: inputs echoed, physical names defaulted to the logical name, ARNs built from them. */
export function defaultNewResource(args: MockResourceArgs, region: string, accountId = MOCK_ACCOUNT_ID): MockResourceResult {
  const i = args.inputs;
  const p = MOCK_PARTITION;
  const state: Record<string, any> = { ...i };
  let id: string = `${args.name}-id`;
  switch (args.type) {
    case "aws-native:s3:Bucket": {
      const name = i.bucketName ?? args.name;
      Object.assign(state, {
        bucketName: name,
        arn: `arn:${p}:s3:::${name}`,
        domainName: `${name}.s3.amazonaws.com`,
        regionalDomainName: `${name}.s3.${region}.amazonaws.com`,
      });
      id = name;
      break;
    }
    case "aws-native:dynamodb:Table": {
      const name = i.tableName ?? args.name;
      Object.assign(state, { tableName: name, arn: `arn:${p}:dynamodb:${region}:${accountId}:table/${name}` });
      id = name;
      break;
    }
    case "aws-native:lambda:Function": {
      const name = i.functionName ?? args.name;
      Object.assign(state, { functionName: name, arn: `arn:${p}:lambda:${region}:${accountId}:function:${name}` });
      id = name;
      break;
    }
    case "aws-native:iam:Role": {
      const name = i.roleName ?? args.name;
      Object.assign(state, { roleName: name, arn: `arn:${p}:iam::${accountId}:role/${name}`, roleId: `AROA${args.name.length}MOCK` });
      id = name;
      break;
    }
    case "aws-native:logs:LogGroup": {
      const name = i.logGroupName ?? args.name;
      Object.assign(state, { logGroupName: name, arn: `arn:${p}:logs:${region}:${accountId}:log-group:${name}:*` });
      id = name;
      break;
    }
    case "aws-native:sqs:Queue": {
      const name = i.queueName ?? args.name;
      const url = `https://sqs.${region}.amazonaws.com/${accountId}/${name}`;
      Object.assign(state, { queueName: name, arn: `arn:${p}:sqs:${region}:${accountId}:${name}`, queueUrl: url });
      id = url;
      break;
    }
    case "aws-native:sns:Topic": {
      const name = i.topicName ?? args.name;
      Object.assign(state, { topicName: name, topicArn: `arn:${p}:sns:${region}:${accountId}:${name}` });
      id = state.topicArn;
      break;
    }
    case "aws-native:cloudwatch:Alarm": {
      const name = i.alarmName ?? args.name;
      Object.assign(state, { alarmName: name, arn: `arn:${p}:cloudwatch:${region}:${accountId}:alarm:${name}` });
      id = name;
      break;
    }
    case "aws-native:cloudwatch:Dashboard": {
      const name = i.dashboardName ?? args.name;
      Object.assign(state, { dashboardName: name });
      id = name;
      break;
    }
    case "aws-native:kms:Key": {
      const keyId = `mock-key-${args.name}`;
      Object.assign(state, { keyId, arn: `arn:${p}:kms:${region}:${accountId}:key/${keyId}` });
      id = keyId;
      break;
    }
    case "aws-native:cloudfront:Distribution": {
      const distributionId = `E${args.name.length}MOCKDIST`;
      Object.assign(state, { awsId: distributionId, domainName: `d${args.name.length}mock.cloudfront.net` });
      id = distributionId;
      break;
    }
    case "aws-native:cloudfront:OriginAccessControl": {
      Object.assign(state, { awsId: `E${args.name.length}MOCKOAC` });
      id = state.awsId;
      break;
    }
    case "aws:s3/bucketObjectv2:BucketObjectv2":
      Object.assign(state, { versionId: `mock-version-of-${args.name}`, etag: "mock-etag", arn: `arn:${p}:s3:::${i.bucket}/${i.key}` });
      id = `${i.bucket}/${i.key}`;
      break;
    default: {
      const service = SERVICE_OF_TYPE.exec(args.type)?.[1];
      if (service && state.arn === undefined) state.arn = `arn:${p}:${service}:${region}:${accountId}:${args.name}`;
    }
  }
  return { id, state };
}

/** Answers for the invokes the program makes (identity and region). */
export function defaultCall(args: MockCallArgs, region: string, accountId = MOCK_ACCOUNT_ID): Record<string, any> {
  switch (args.token) {
    case "aws-native:index:getAccountId":
      return { accountId };
    case "aws-native:index:getRegion":
      return { region };
    case "aws-native:index:getPartition":
      return { partition: MOCK_PARTITION };
    case "aws-native:index:getUrlSuffix":
      return { urlSuffix: "amazonaws.com" };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId, arn: `arn:${MOCK_PARTITION}:iam::${accountId}:user/mock`, userId: "MOCKUSER", id: accountId };
    case "aws:index/getRegion:getRegion":
      return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
    case "aws:index/getPartition:getPartition":
      return { partition: MOCK_PARTITION, dnsSuffix: "amazonaws.com", id: MOCK_PARTITION };
    default:
      return {};
  }
}

interface WireOptions {
  inputs: Record<string, any>;
  custom: boolean;
  parent: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  dependencies: string[];
}

/** Private build directory, removed when the process exits (tests leave no files behind). */
let buildDir: string | undefined;
function functionBuildDir(): string {
  if (!buildDir) {
    buildDir = fs.mkdtempSync(path.join(os.tmpdir(), "thumbnails-program-"));
    const dir = buildDir;
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return buildDir;
}

/**
 * Pulumi assets and archives as plain data: `{ kind: "FileArchive", path }`, `{ kind:
 * "FileAsset", path }`, `{ kind: "StringAsset", text }`, `{ kind: "RemoteAsset", uri }`, ...
 */
async function plainAsset(value: pulumi.asset.Asset | pulumi.asset.Archive): Promise<Record<string, unknown>> {
  const kind = value.constructor?.name ?? "Asset";
  const out: Record<string, unknown> = { kind };
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith("__")) continue;
    out[k] = await resolveDeep(v);
  }
  return out;
}

async function resolveDeep(input: unknown): Promise<unknown> {
  const value: any = input;
  if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) return plainAsset(value);
  if (pulumi.Output.isInstance(value)) return resolveDeep(await (value as any).promise());
  if (value instanceof Promise) return resolveDeep(await value);
  if (Array.isArray(value)) return Promise.all(value.map(resolveDeep));
  if (value !== null && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveDeep(v);
    return out;
  }
  return value;
}

let queue: Promise<unknown> = Promise.resolve();

/** A resource a component registered when built alone (see runComponents). */
export interface ComponentResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  state: Record<string, any>;
}

/**
 * Builds components alone, without index.ts or stack config, under the same mock answers as
 * runProgram, and waits until the values in `settle` (e.g. the URNs of the last resources
 * created) have resolved. For specs of one component with hand-picked arguments.
 */
export function runComponents<T>(
  build: () => T,
  settle: (built: T) => pulumi.Input<unknown>[] = () => [],
  region = "eu-west-1",
): Promise<{ built: T; resources: ComponentResource[] }> {
  const run = queue.then(async () => {
    const resources: ComponentResource[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          const result = defaultNewResource(args, region);
          resources.push({ type: args.type, name: args.name, inputs: args.inputs, state: result.state });
          return result;
        },
        call: (args) => defaultCall(args, region),
      },
      readProjectFile().name,
      "components",
      false,
    );
    const built = build();
    await Promise.all(settle(built).map(resolveDeep));
    // Registrations are answered asynchronously; let the last answers land.
    await new Promise((r) => setTimeout(r, 10));
    return { built, resources };
  });
  queue = run.catch(() => undefined);
  return run;
}

/** Runs index.ts for `stack` under mocks; see the file comment. */
export function runProgram(options: RunOptions): Promise<ProgramRun> {
  const run = queue.then(() => runOnce(options));
  queue = run.catch(() => undefined);
  return run;
}

async function runOnce(options: RunOptions): Promise<ProgramRun> {
  const project = readProjectFile().name;
  const config = stackConfig(options.stack, options.config);
  const region = config["aws-native:region"] ?? "us-east-1";

  const hooks = options.mocks ?? {};
  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const defaults = defaultNewResource(args, region);
      return hooks.newResource?.(args, defaults) ?? defaults;
    },
    call(args) {
      const defaults = defaultCall(args, region);
      return hooks.call?.(args, defaults) ?? defaults;
    },
  };
  await pulumi.runtime.setMocks(mocks, project, options.stack, options.preview ?? false);
  pulumi.runtime.setAllConfig(config, []);

  // The options the SDK sends to the engine, from the RegisterResource request.
  const wire = new Map<string, WireOptions>();
  const monitor = (pulumi.runtime as any).getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
    register(req, (err: any, resp: any) => {
      if (!err && resp) {
        wire.set(resp.getUrn(), {
          inputs: pulumi.runtime.deserializeProperties(req.getObject()),
          custom: req.getCustom(),
          parent: req.getParent(),
          // proto3 optional fields: has* tells "unset" from false.
          protect: req.hasProtect?.() === false ? undefined : req.getProtect(),
          retainOnDelete: req.hasRetainondelete?.() === false ? undefined : req.getRetainondelete(),
          dependencies: req.getDependenciesList(),
        });
      }
      callback(err, resp);
    });

  const declared: Array<{ resource: pulumi.Resource; dependsOn: unknown }> = [];
  const previousOutDir = process.env.THUMBNAILS_FUNCTION_OUT_DIR;
  process.env.THUMBNAILS_FUNCTION_OUT_DIR = functionBuildDir();
  let exported: unknown;
  try {
    exported = await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation(({ resource, opts }) => {
        if (opts.dependsOn !== undefined) declared.push({ resource, dependsOn: opts.dependsOn });
        return undefined;
      });
      delete require.cache[require.resolve(PROGRAM)];
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- re-evaluated per run after clearing the cache
      return { ...require(PROGRAM) };
    });
    await (pulumi.runtime as any).waitForRPCs();
  } finally {
    if (previousOutDir === undefined) delete process.env.THUMBNAILS_FUNCTION_OUT_DIR;
    else process.env.THUMBNAILS_FUNCTION_OUT_DIR = previousOutDir;
  }

  const explicit = new Map<string, string[]>();
  for (const { resource, dependsOn } of declared) {
    const urn = await (resource.urn as any).promise();
    const targets = await resolveDeep(dependsOn);
    const list = (Array.isArray(targets) ? targets : [targets]).filter((r): r is pulumi.Resource => pulumi.Resource.isInstance(r));
    explicit.set(urn, await Promise.all(list.map((r) => (r.urn as any).promise() as Promise<string>)));
  }

  const registered = (pulumi.runtime as any).getMonitor().getRegisteredResources() as Map<
    string,
    { urn: string; id: string | null; state: any }
  >;
  const resources: RegisteredResource[] = [];
  for (const [urn, entry] of registered) {
    const w = wire.get(urn);
    const [, , qualifiedType, name] = urn.split("::");
    const type = qualifiedType.split("$").pop() as string;
    // Custom resources keep the mock's plain state; components the Struct of registerOutputs.
    const raw = entry.state ?? {};
    const state = pulumi.runtime.deserializeProperties(typeof raw.toJavaScript === "function" ? raw : { toJavaScript: () => raw });
    resources.push({
      urn,
      type,
      name,
      id: entry.id ?? undefined,
      inputs: (await resolveDeep(w?.inputs ?? {})) as Record<string, any>,
      state: (await resolveDeep(state)) as Record<string, any>,
      parent: w?.parent || undefined,
      dependsOn: explicit.get(urn) ?? [],
      dependencies: w?.dependencies ?? [],
      retainOnDelete: w?.retainOnDelete,
      protect: w?.protect,
      custom: w?.custom ?? false,
    });
  }
  return { stack: options.stack, project, config, resources, outputs: (await resolveDeep(exported ?? {})) as Record<string, unknown> };
}
