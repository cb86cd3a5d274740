/**
 * `npm run synth -- --stack <dev|prod>`: the real program under mocks → a CloudFormation template
 * (dist/cloudformation/<stack>.template.yaml) and the function's code archive beside it.
 *
 * The program runs three times (about 1.5 s each once compiled):
 *  1. with SourceBucketName and ThumbnailBucketName given (as markers) — the template;
 *  2. with them left empty, when the stack leaves them empty — the derived names, merged in as
 *     Fn::If on Has<Parameter> conditions;
 *  3. as run 1 with different markers, the region's as long as the longest region name where
 *     run 1's was as short as the shortest — the templates must be identical, otherwise some
 *     value was computed from an id, account or region in a way CloudFormation cannot repeat (a
 *     hash, a substring, a name shortened only in some regions), and synth fails naming where.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ProgramRun, REPO_ROOT, runProgram, stackConfig } from "../harness/programUnderMocks";
import { CodeAsset, codeAsset, isCodeObject, leaveOutCodeObject, writeAsset } from "./codeAsset";
import { leaveOutRoleReadiness } from "./roleReadiness";
import { SynthError } from "./errors";
import { MarkerLengths, MarkerTable } from "./markers";
import { differences, mergeOptionalParameters } from "./merge";
import { synthMocks } from "./mocks";
import { PlainValue } from "./properties";
import { ResourceSchemas } from "./schemas";
import { BuiltTemplate, CfnParameter, CfnTemplate, buildTemplate, checkParametersUsed } from "./template";

export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, "dist", "cloudformation");

/** Template parameters that stand for stack config keys (the brief's three). */
export const CONFIG_PARAMETERS = {
  Environment: "environment",
  SourceBucketName: "sourceBucketName",
  ThumbnailBucketName: "thumbnailBucketName",
} as const;
const BUCKET_PARAMETERS = ["SourceBucketName", "ThumbnailBucketName"] as const;

/** S3's rules for a general-purpose bucket name (cfn-lint checks patterns are valid regexes). */
const BUCKET_NAME_PATTERN = "[a-z0-9][a-z0-9-]{1,61}[a-z0-9]";

/** Salts of the template run and of the determinism run; also what tests look for in leftovers. */
export const MARKER_SALTS = ["k3q9", "w7m2"] as const;
/** Shortest and longest real region names (us-east-1, ap-southeast-1); account ids are 12 digits. */
const SHORT_NAMES: MarkerLengths = { "AWS::AccountId": 12, "AWS::Region": 9 };
const LONG_NAMES: MarkerLengths = { "AWS::AccountId": 12, "AWS::Region": 14 };

export interface StackSynthesis {
  stack: string;
  project: string;
  template: CfnTemplate;
  yaml: string;
  asset: CodeAsset;
  /** The run whose markers the template was built from (parameters given). */
  run: ProgramRun;
  built: BuiltTemplate;
}

export interface SynthOptions {
  stack: string;
  schemas?: ResourceSchemas;
  /** Tests only: synthesize a stack that has no Pulumi.<stack>.yaml (project defaults apply). */
  withoutStackFile?: boolean;
}

export async function synthesize(options: SynthOptions): Promise<StackSynthesis> {
  const { stack } = options;
  const schemas = options.schemas ?? ResourceSchemas.shared();
  if (!options.withoutStackFile && !fs.existsSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`))) {
    throw new SynthError(`stack ${stack}`, "", `there is no Pulumi.${stack}.yaml; synth takes the stack's config from it`);
  }
  const config = stackConfig(stack);
  const projectKey = (key: string) => Object.keys(config).find((k) => k.endsWith(`:${key}`) && !k.startsWith("aws"));
  const configValue = (key: string) => {
    const full = projectKey(key);
    return full === undefined ? "" : config[full];
  };
  const environment = configValue(CONFIG_PARAMETERS.Environment);
  if (!environment) throw new SynthError(`stack ${stack}`, CONFIG_PARAMETERS.Environment, "the stack config sets no environment");
  const optional = BUCKET_PARAMETERS.filter((p) => configValue(CONFIG_PARAMETERS[p]) === "");

  const parameters = (): Record<string, CfnParameter> => {
    const out: Record<string, CfnParameter> = {
      Environment: {
        Type: "String",
        Description: `Environment of the stack. This template was synthesized for ${environment} (its retention, protection and sizes come from Pulumi.${stack}.yaml); synthesize another stack for another environment.`,
        Default: environment,
        AllowedValues: [environment],
      },
    };
    for (const p of BUCKET_PARAMETERS) {
      const fixed = configValue(CONFIG_PARAMETERS[p]);
      out[p] = {
        Type: "String",
        Description: fixed
          ? `Physical name of the ${p === "SourceBucketName" ? "upload" : "thumbnail"} bucket.`
          : `Physical name of the ${p === "SourceBucketName" ? "upload" : "thumbnail"} bucket; empty derives <project>-<stack>-<purpose>-<account>-<region>.`,
        ...(fixed ? { Default: fixed } : { Default: "" }),
        AllowedPattern: fixed ? `^${BUCKET_NAME_PATTERN}$` : `^(${BUCKET_NAME_PATTERN})?$`,
        ConstraintDescription:
          "must be a valid S3 bucket name: 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit",
      };
    }
    return out;
  };

  let asset: CodeAsset | undefined;
  const runOnce = async (
    salt: string,
    lengths: MarkerLengths,
    giveParameters: boolean,
  ): Promise<{ run: ProgramRun; built: BuiltTemplate }> => {
    const markers = new MarkerTable(salt, lengths);
    const mocks = synthMocks(schemas, markers);
    const overrides: Record<string, string> = {};
    if (giveParameters) for (const p of BUCKET_PARAMETERS) overrides[CONFIG_PARAMETERS[p]] = markers.parameter(p);
    const run = await runProgram({ stack, config: overrides, mocks: mocks.hooks });
    if (mocks.unsupportedCalls.length > 0) {
      throw new SynthError(
        `stack ${stack}`,
        "",
        `the program calls ${[...new Set(mocks.unsupportedCalls)].join(", ")}, which CloudFormation cannot answer`,
      );
    }
    const codeObjects = run.resources.filter(isCodeObject);
    if (codeObjects.length > 1)
      throw new SynthError(codeObjects[1].name, "", "a second code archive; the template takes one code bucket/key pair");
    if (!asset && codeObjects.length === 1) asset = await codeAsset(codeObjects[0], stack);
    const built = buildTemplate(schemas, markers, run.resources, {
      description: `${run.project} (${stack}): serverless image-thumbnail pipeline. Synthesized from the Pulumi program by npm run synth; edit the program, not this file.`,
      parameters: parameters(),
      literalParameters: [{ value: environment, parameter: "Environment" }],
      leaveOut: (resource) => leaveOutCodeObject(resource, asset) ?? leaveOutRoleReadiness(resource),
      outputs: run.outputs,
    });
    return { run, built };
  };

  const given = await runOnce(MARKER_SALTS[0], SHORT_NAMES, true);
  let template = given.built.template;
  if (optional.length > 0) {
    const derived = await runOnce(MARKER_SALTS[0], SHORT_NAMES, false);
    template = mergeOptionalParameters(template, derived.built.template, [...optional]);
  }
  const again = await runOnce(MARKER_SALTS[1], LONG_NAMES, true);
  const changed = differences(given.built.template as unknown as PlainValue, again.built.template as unknown as PlainValue);
  if (changed.length > 0) {
    throw new SynthError(
      `stack ${stack}`,
      "",
      `the template changes with the markers that stand for ids, account and region, so some value is computed from them in a way CloudFormation cannot repeat:\n  ${changed.join("\n  ")}`,
    );
  }
  checkParametersUsed(template);
  if (!asset)
    throw new SynthError(`stack ${stack}`, "", "the program registered no code archive (aws.s3.BucketObjectv2 with an archive source)");
  return { stack, project: given.run.project, template, yaml: toYaml(template, given.built), asset, run: given.run, built: given.built };
}

/** YAML 1.1 quoting (yes/no/on/off stay strings), no line folding, and a header saying what was left out. */
export function toYaml(template: CfnTemplate, built: BuiltTemplate): string {
  const document = new YAML.Document(template, { version: "1.1" });
  const lines = [
    " Generated by `npm run synth` from the Pulumi program (tools/cfn/cli.ts); do not edit.",
    " Not in this template (no CloudFormation resource type):",
    ...[...built.leftOut.entries()].map(([id, { reason }]) => `   ${id}: ${reason}`),
  ];
  document.commentBefore = lines.join("\n");
  return document.toString({ lineWidth: 0, minContentWidth: 0 });
}

export interface WrittenFiles {
  template: string;
  asset: string;
}

export function writeSynthesis(synthesis: StackSynthesis, directory = DEFAULT_OUT_DIR): WrittenFiles {
  fs.mkdirSync(directory, { recursive: true });
  for (const stale of fs.readdirSync(directory)) {
    if (stale.startsWith(`${synthesis.stack}.code-`) && stale !== synthesis.asset.fileName) fs.rmSync(path.join(directory, stale));
  }
  const template = path.join(directory, `${synthesis.stack}.template.yaml`);
  fs.writeFileSync(template, synthesis.yaml);
  return { template, asset: writeAsset(synthesis.asset, directory) };
}
