/**
 * The function's code. Pulumi uploads the bundle as a classic aws.s3.BucketObjectv2 (aws-native
 * has no S3 object type and CloudFormation has none either); CloudFormation uploads nothing.
 * So the code object is left out of the template, its archive is written beside the template
 * as a zip with a content-addressed name, and the template takes the bucket and key the
 * operator uploads it to as parameters (as CDK's asset parameters do). The key's default is the
 * program's own content-addressed key (infra/compute/codeArtifact.ts): a new bundle means a new key, and
 * a new key redeploys the function.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { SynthError } from "./errors";
import type { Resolved } from "./markers";
import type { CfnParameter, LeftOutResource, RegisteredResource } from "./template";
import { directoryEntries, zipEntries, ZipEntry } from "./zip";

export const CODE_OBJECT_TYPE = "aws:s3/bucketObjectv2:BucketObjectv2";
export const CODE_BUCKET_PARAMETER = "CodeArtifactBucket";
export const CODE_KEY_PARAMETER = "CodeArtifactKey";

/** The attributes of the code object the program may read, and their stand-ins in the template. */
export const CODE_OBJECT_ATTRIBUTES: Record<string, Resolved> = {
  bucket: { ref: CODE_BUCKET_PARAMETER },
  key: { ref: CODE_KEY_PARAMETER },
  // The key is content-addressed, so no version is needed (and none is known before upload).
  versionId: { noValue: true },
};

export interface CodeAsset {
  /** The zip's bytes. */
  zip: Buffer;
  sha256: string;
  /** File name of the asset beside the template. */
  fileName: string;
  /** The S3 key the program gives the code object: the template's default CodeArtifactKey. */
  key: string;
}

/** An asset or archive as the harness reports it: plain data with its class name as `kind`. */
interface PlainAsset {
  kind: string;
  path?: string;
  text?: string;
  assets?: Record<string, PlainAsset>;
}

function isPlainAsset(value: unknown): value is PlainAsset {
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string";
}

export function isCodeObject(resource: RegisteredResource): boolean {
  const source = resource.inputs.source;
  return resource.custom === true && resource.type === CODE_OBJECT_TYPE && isPlainAsset(source) && source.kind.endsWith("Archive");
}

/** The code object's archive as a deterministic zip. */
export async function codeAsset(resource: RegisteredResource, stack: string): Promise<CodeAsset> {
  const zip = zipEntries(archiveEntries(resource.inputs.source, resource.name, "source"));
  const sha256 = createHash("sha256").update(zip).digest("hex");
  const key = resource.inputs.key;
  if (typeof key !== "string" || key === "")
    throw new SynthError(resource.name, "key", "the code object has no literal key to offer as the template's default");
  return { zip, sha256, fileName: `${stack}.code-${sha256.slice(0, 16)}.zip`, key };
}

function archiveEntries(archive: unknown, subject: string, property: string, prefix = ""): ZipEntry[] {
  if (!isPlainAsset(archive)) throw new SynthError(subject, property, "the code archive is not an asset archive");
  if (archive.kind === "FileArchive" && archive.path !== undefined) {
    if (fs.statSync(archive.path).isDirectory()) return directoryEntries(archive.path).map((e) => ({ ...e, name: prefix + e.name }));
    throw new SynthError(subject, property, `archive ${archive.path} is a file; synth zips directories and AssetArchives only`);
  }
  if (archive.kind === "AssetArchive" && archive.assets) {
    const entries: ZipEntry[] = [];
    for (const [name, item] of Object.entries(archive.assets)) {
      const itemProperty = `${property}.${name}`;
      if (item.kind === "FileAsset" && item.path !== undefined) entries.push({ name: prefix + name, data: fs.readFileSync(item.path) });
      else if (item.kind === "StringAsset" && item.text !== undefined)
        entries.push({ name: prefix + name, data: Buffer.from(item.text, "utf8") });
      else if (item.kind.endsWith("Archive")) entries.push(...archiveEntries(item, subject, itemProperty, `${prefix}${name}/`));
      else throw new SynthError(subject, itemProperty, `a ${item.kind} cannot be zipped here (file and string assets only)`);
    }
    return entries;
  }
  throw new SynthError(subject, property, `a ${archive.kind} cannot be zipped here (FileArchive of a directory or AssetArchive only)`);
}

export function codeParameters(asset: CodeAsset): Record<string, CfnParameter> {
  return {
    [CODE_BUCKET_PARAMETER]: {
      Type: "String",
      Description:
        "Existing S3 bucket (same region) holding the function's code archive; upload it before deploying (README, CloudFormation).",
      AllowedPattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
      ConstraintDescription: "must be an S3 bucket name",
    },
    [CODE_KEY_PARAMETER]: {
      Type: "String",
      Description: `S3 key of the code archive; the default is the program's content-addressed key (upload ${asset.fileName}, sha256 ${asset.sha256}, there).`,
      Default: asset.key,
      MinLength: 1,
    },
  };
}

export function leaveOutCodeObject(resource: RegisteredResource, asset: CodeAsset | undefined): LeftOutResource | undefined {
  if (!isCodeObject(resource) || !asset) return undefined;
  return {
    reason:
      `${resource.name} (${resource.type}) uploads the function code; CloudFormation uploads nothing. ` +
      `Upload ${asset.fileName} to ${CODE_BUCKET_PARAMETER}/${CODE_KEY_PARAMETER} before deploying.`,
    attributes: CODE_OBJECT_ATTRIBUTES,
    parameters: codeParameters(asset),
  };
}

export function writeAsset(asset: CodeAsset, directory: string): string {
  const file = path.join(directory, asset.fileName);
  fs.writeFileSync(file, asset.zip);
  return file;
}
