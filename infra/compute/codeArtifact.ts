/**
 * Where the function's code lives in the artifact bucket: a content-addressed key,
 * `<function name>/<sha256 of the bundle>.zip`. A new build is a new key, and a new key is a
 * code update of the function; the same build is the same key, so nothing changes.
 *
 * Why not one key with S3 versions (s3ObjectVersion): S3 says a newly enabled versioning state
 * may take up to 15 minutes to propagate, and writes before that may be unversioned. On a fresh
 * account the artifact bucket is created seconds before the upload, so the upload could come
 * back without a version id and the function could not be pinned to it. A content-addressed key
 * needs nothing from versioning. `npm run synth` takes the same key as the template's default
 * CodeArtifactKey (tools/cfn/codeAsset.ts), so both deploy paths name code the same way.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface BundleFile {
  /** Path inside the bundle, "/"-separated. */
  name: string;
  data: Buffer;
}

/** Every regular file under `directory`, named relative to it. */
export function directoryFiles(directory: string): BundleFile[] {
  const files: BundleFile[] = [];
  const walk = (dir: string): void => {
    for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, item.name);
      if (item.isDirectory()) walk(full);
      else if (item.isFile()) files.push({ name: path.relative(directory, full).split(path.sep).join("/"), data: fs.readFileSync(full) });
    }
  };
  walk(directory);
  return files;
}

/**
 * sha256 over the bundle's file names and contents in name order: the same files give the same
 * digest whatever their timestamps or the order the file system lists them in.
 */
export function bundleSha256(files: BundleFile[]): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    // Name and length delimit each file, so no two different bundles hash the same stream.
    hash.update(`${file.name}\0${file.data.length}\0`);
    hash.update(file.data);
  }
  return hash.digest("hex");
}

/** `<function name>/<sha256>.zip`: the code object's key in the artifact bucket. */
export function codeObjectKey(functionName: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`code object key: "${sha256}" is not a sha256 hex digest`);
  return `${functionName}/${sha256}.zip`;
}
