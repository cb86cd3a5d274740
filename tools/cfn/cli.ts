/**
 * `npm run synth -- --stack <dev|prod> [--out <dir>]`: writes the stack as a CloudFormation
 * template plus the function's code archive (README, "CloudFormation").
 */
import * as path from "path";
import { CODE_BUCKET_PARAMETER, CODE_KEY_PARAMETER } from "./codeAsset";
import { SynthError } from "./errors";
import { DEFAULT_OUT_DIR, synthesize, writeSynthesis } from "./synth";

function usage(problem: string): never {
  console.error(`${problem}\nusage: npm run synth -- --stack <dev|prod> [--out <dir>]`);
  process.exit(2);
}

function parseArgs(argv: string[]): { stack: string; out: string } {
  let stack: string | undefined;
  let out = DEFAULT_OUT_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    if (arg === "--stack") stack = value();
    else if (arg.startsWith("--stack=")) stack = arg.slice("--stack=".length);
    else if (arg === "--out") out = path.resolve(value());
    else usage(`unknown argument "${arg}"`);
  }
  if (!stack) usage("--stack is required");
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) usage(`--stack "${stack}" is not a stack name`);
  return { stack, out };
}

async function main(): Promise<void> {
  const { stack, out } = parseArgs(process.argv.slice(2));
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
}

main().catch((error: unknown) => {
  if (error instanceof SynthError) console.error(`synth failed: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
