/**
 * How pulumi-aws-native spells CloudFormation names in its SDKs. The provider generates its
 * SDK from the same registry schemas, lower-casing runs of capitals ("acronyms") so that
 * `SSEAlgorithm` becomes `sseAlgorithm` and `KMSMasterKeyID` becomes `kmsMasterKeyId`.
 * Naively capitalising the SDK name back gives `SseAlgorithm`, which CloudFormation rejects,
 * so synth never converts SDK → CloudFormation by spelling: it converts every schema name
 * CloudFormation → SDK with this function and looks the SDK name up in that table.
 *
 * This is the convention of aws-native's code generator (its `naming.ToSdkName`), not a
 * public API; tests/cfn/sdkNames.spec.ts checks it against every input of the installed
 * @pulumi/aws-native resources we use, so a change in the convention fails loudly.
 */

/** A–Z and 0–9 count as capitals: `EC2` is one run. */
function isCapital(ch: string): boolean {
  return (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9");
}

/**
 * Lower-cases every run of two or more capitals except the run's first letter. The last
 * capital of a run that continues in lower case starts the next word (`SSEAlgorithm` →
 * `SseAlgorithm`), unless what follows is a lone plural `s` (`ARNs` → `Arns`).
 */
export function lowerAcronyms(name: string): string {
  let out = "";
  let i = 0;
  while (i < name.length) {
    if (!isCapital(name[i])) {
      out += name[i++];
      continue;
    }
    let end = i;
    while (end < name.length && isCapital(name[end])) end++;
    if (end - i < 2) {
      out += name.slice(i, end);
      i = end;
      continue;
    }
    const rest = name.slice(end);
    const pluralS = rest === "s" || (rest.length > 1 && rest[0] === "s" && isCapital(rest[1]));
    const runEnd = end === name.length || pluralS ? end : end - 1;
    out += name[i] + name.slice(i + 1, runEnd).toLowerCase();
    i = runEnd;
  }
  return out;
}

/** CloudFormation property or attribute name → aws-native SDK name. */
export function toSdkName(cfnName: string): string {
  if (cfnName === "") return cfnName;
  const lowered = lowerAcronyms(cfnName);
  return lowered[0].toLowerCase() + lowered.slice(1);
}

/**
 * aws-native renames a resource's top-level `Id` property, which would clash with Pulumi's
 * own `id`, to `awsId`.
 */
export function toSdkTopLevelName(cfnName: string): string {
  return cfnName === "Id" ? "awsId" : toSdkName(cfnName);
}

/** `AWS::S3::Bucket` → `aws-native:s3:Bucket`; `AWS::EC2::VPC` → `aws-native:ec2:Vpc`. */
export function toSdkTypeToken(cloudFormationType: string): string {
  const parts = cloudFormationType.split("::");
  if (parts.length !== 3) throw new Error(`"${cloudFormationType}" is not a CloudFormation resource type (Org::Service::Resource)`);
  // aws-native names the Config service's module "configuration".
  const service = parts[1].toLowerCase() === "config" ? "configuration" : parts[1].toLowerCase();
  return `aws-native:${service}:${lowerAcronyms(parts[2])}`;
}
