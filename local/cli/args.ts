/**
 * Command-line arguments of `npm start`. Every rule is checked here, so a mistake is reported
 * as one line naming the option, the value and the rule, before anything starts.
 */
import * as os from "os";
import { UsageError } from "../../tools/cli";
import { NO_FAULTS, parseFaultSpec, type FaultSpec } from "../faults/spec";

export interface StartOptions {
  stack: string;
  /** Files and directories to upload; empty means the built-in sample set. */
  inputs: string[];
  out: string;
  concurrency: number;
  report?: string;
  watch: boolean;
  /** 0 picks a free port. */
  s3Port: number;
  dynamoPort: number;
  /** Progress bar on stderr: "auto" shows it only on a terminal. */
  progress: "auto" | "always" | "never";
  /** Faults to inject (--faults); NO_FAULTS without it. */
  faults: FaultSpec;
  /** Seed of the fault decisions; given or drawn at random (and then reported) so a run can be repeated. */
  seed: number;
  help: boolean;
}

/** Largest --seed: the fault streams mix it into a 32-bit state. */
export const MAX_SEED = 2 ** 32 - 1;

export function randomSeed(): number {
  return Math.floor(Math.random() * MAX_SEED);
}

export const MAX_CONCURRENCY = 64;

export const USAGE = `Usage: npm start -- [options]

Runs the thumbnail pipeline on this machine: local S3 and DynamoDB, the bundled function.

  --input <path...>     image files or directories to process (default: built-in samples)
  --out <dir>           where thumbnails, records and index.html go (default: ./out)
  --concurrency <n>     containers processing events at once, 1-${MAX_CONCURRENCY} (default: CPU cores)
  --report <file.json>  write a machine-readable report
  --watch               keep running and process files added to the input directories
  --stack <name>        stack whose config names the resources (default: dev)
  --s3-port <port>      local S3 port (default: any free port)
  --dynamo-port <port>  local DynamoDB port (default: any free port)
  --faults <spec>       inject faults, e.g. s3-get=0.05,s3-put=0.05,dynamodb=0.05,throttle=0.05,crash=0.01,duplicate=0.1,reorder
                        (shares from 0 to 1; see docs/reliability.md)
  --seed <n>            seed of the fault decisions, 0-${MAX_SEED} (default: random, printed)
  --progress            draw the progress bar even when stderr is not a terminal
  --no-progress         no progress bar
  -h, --help            this text`;

function defaultConcurrency(): number {
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(MAX_CONCURRENCY, cores));
}

function integer(option: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined || raw.startsWith("--")) throw new UsageError(`${option}: a value is required (an integer from ${min} to ${max})`);
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`${option} ${JSON.stringify(raw)}: must be an integer from ${min} to ${max}`);
  }
  return Number(raw);
}

function value(option: string, raw: string | undefined, what: string): string {
  if (raw === undefined || raw.startsWith("--") || raw === "") throw new UsageError(`${option}: a value is required (${what})`);
  return raw;
}

export function parseArgs(argv: string[]): StartOptions {
  const options: StartOptions = {
    stack: "dev",
    inputs: [],
    out: "out",
    concurrency: defaultConcurrency(),
    watch: false,
    s3Port: 0,
    dynamoPort: 0,
    progress: "auto",
    faults: NO_FAULTS,
    seed: randomSeed(),
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const next = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case "--input": {
        if (inline !== undefined) {
          options.inputs.push(value(flag, inline, "a file or directory"));
          break;
        }
        const start = options.inputs.length;
        while (i + 1 < argv.length && !argv[i + 1].startsWith("--")) options.inputs.push(argv[++i]);
        if (options.inputs.length === start) throw new UsageError("--input: a value is required (one or more files or directories)");
        break;
      }
      case "--out":
        options.out = value(flag, next(), "a directory");
        break;
      case "--concurrency":
        options.concurrency = integer(flag, next(), 1, MAX_CONCURRENCY);
        break;
      case "--report":
        options.report = value(flag, next(), "a file name ending in .json");
        if (!options.report.endsWith(".json")) throw new UsageError(`--report ${JSON.stringify(options.report)}: must name a .json file`);
        break;
      case "--watch":
        options.watch = true;
        break;
      case "--stack":
        options.stack = value(flag, next(), "a stack name such as dev or prod");
        break;
      case "--s3-port":
        options.s3Port = integer(flag, next(), 0, 65535);
        break;
      case "--dynamo-port":
        options.dynamoPort = integer(flag, next(), 0, 65535);
        break;
      case "--faults":
        options.faults = parseFaultSpec(value(flag, next(), "a fault spec such as s3-get=0.05,crash=0.01,reorder"));
        break;
      case "--seed":
        options.seed = integer(flag, next(), 0, MAX_SEED);
        break;
      case "--progress":
        options.progress = "always";
        break;
      case "--no-progress":
        options.progress = "never";
        break;
      case "-h":
      case "--help":
        options.help = true;
        break;
      default:
        throw new UsageError(`${JSON.stringify(arg)}: unknown ${arg.startsWith("-") ? "option" : "argument"}; see --help`);
    }
  }
  if (options.watch && options.inputs.length === 0) {
    // Watching the generated samples would watch a temporary directory no one can drop files into.
    throw new UsageError("--watch: needs --input <directory> to watch");
  }
  if (options.s3Port !== 0 && options.s3Port === options.dynamoPort) {
    throw new UsageError(`--s3-port and --dynamo-port: both are ${options.s3Port}; they must differ`);
  }
  return options;
}
