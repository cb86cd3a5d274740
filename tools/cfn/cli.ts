/**
 * `npm run synth -- --stack <dev|prod> [--out <dir>]`: writes the stack as a CloudFormation
 * template plus the function's code archive (README, "CloudFormation").
 */
import * as path from "path";
import { CODE_BUCKET_PARAMETER, CODE_KEY_PARAMETER } from "./codeAsset";
import { ExitCode, parseOptions, runCli, UsageError } from "../cli";
import { SynthError } from "./errors";
import { DEFAULT_OUT_DIR, synthesize, writeSynthesis } from "./synth";

const USAGE = "usage: npm run synth -- --stack <dev|prod> [--out <dir>]";

function parseCommandLine(argv: string[]): { stack: string; out: string } {
  const values = parseOptions(argv, { stack: { type: "string" }, out: { type: "string" } }, USAGE);
  const stack = values.stack;
  if (!stack) throw new UsageError(`--stack is required\n${USAGE}`);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`--stack "${stack}" is not a stack name (letters, digits, _ . -)`);
  return { stack, out: values.out ? path.resolve(values.out) : DEFAULT_OUT_DIR };
}

async function main(argv: string[]): Promise<number> {
  const { stack, out } = parseCommandLine(argv);
  const synthesis = await synthesize({ stack });
  const files = writeSynthesis(synthesis, out);
  const key = `${synthesis.project}/${synthesis.asset.fileName}`;
  const rel = (p: string) => path.relative(process.cwd(), p);
  console.log(
    `${rel(files.template)}: ${Object.keys(synthesis.template.Resources).length} resources, ${Object.keys(synthesis.template.Outputs).length} outputs`,
  );
  console.log(`${rel(files.asset)}: function code (${synthesis.asset.zip.length} bytes, sha256 ${synthesis.asset.sha256})`);
  console.log(`\nDeploy (README, "CloudFormation"):`);
  console.log(`  aws s3 cp ${rel(files.asset)} s3://$CODE_BUCKET/${key}`);
  console.log(
    `  aws cloudformation deploy --stack-name ${synthesis.project}-${stack} --template-file ${rel(files.template)} ` +
      `--capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM --parameter-overrides ${CODE_BUCKET_PARAMETER}=$CODE_BUCKET ${CODE_KEY_PARAMETER}=${key}`,
  );
  return ExitCode.Ok;
}

runCli(async (argv) => {
  try {
    return await main(argv);
  } catch (error) {
    // A template the exporter cannot make faithful: the message names the resource, property and rule.
    if (error instanceof SynthError) throw new UsageError(`synth failed: ${error.message}`);
    throw error;
  }
});
