/**
 * Mock answers that make every value the program reads from AWS a marker (see markers.ts):
 * ids and attributes of aws-native resources (attribute names from the resource schema), the
 * account, region, partition and URL suffix, and the code object's bucket, key and version.
 */
import type { MockCallArgs, MockHooks, MockResourceArgs, MockResourceResult } from "../harness/programUnderMocks";
import { CODE_OBJECT_ATTRIBUTES, CODE_OBJECT_TYPE } from "./codeAsset";
import { MarkerTable, PseudoParameter } from "./markers";
import { ResourceSchemas } from "./schemas";
import { toSdkTopLevelName } from "./sdkNames";

/** Invokes with a CloudFormation pseudo parameter for an answer: token → result field → parameter. */
const PSEUDO_CALLS: Record<string, Record<string, PseudoParameter>> = {
  "aws-native:index:getAccountId": { accountId: "AWS::AccountId" },
  "aws-native:index:getRegion": { region: "AWS::Region" },
  "aws-native:index:getPartition": { partition: "AWS::Partition" },
  "aws-native:index:getUrlSuffix": { urlSuffix: "AWS::URLSuffix" },
  "aws:index/getCallerIdentity:getCallerIdentity": { accountId: "AWS::AccountId", id: "AWS::AccountId" },
  "aws:index/getRegion:getRegion": { name: "AWS::Region", region: "AWS::Region", id: "AWS::Region" },
  "aws:index/getPartition:getPartition": { partition: "AWS::Partition", dnsSuffix: "AWS::URLSuffix", id: "AWS::Partition" },
};

export interface SynthMocks {
  hooks: MockHooks;
  /** Invokes the program made that have no CloudFormation equivalent. */
  unsupportedCalls: string[];
}

export function synthMocks(schemas: ResourceSchemas, markers: MarkerTable): SynthMocks {
  const unsupportedCalls: string[] = [];
  const newResource = (args: MockResourceArgs, defaults: MockResourceResult): MockResourceResult => {
    const key = { type: args.type, name: args.name };
    const state: Record<string, unknown> = { ...args.inputs };
    if (args.type === CODE_OBJECT_TYPE) {
      for (const attribute of Object.keys(CODE_OBJECT_ATTRIBUTES)) state[attribute] = markers.getAtt(key, attribute);
      return { id: markers.ref(key), state };
    }
    const schema = schemas.resourceForToken(args.type);
    // Not a CloudFormation type: the template builder refuses it with its name.
    if (!schema) return defaults;
    for (const [sdkName, cfnName] of schemas.attributeNames(schema)) state[sdkName] = markers.getAtt(key, cfnName);
    const refProperty = schemas.refIdentifier(schema);
    if (refProperty) state[toSdkTopLevelName(refProperty)] = markers.ref(key);
    return { id: markers.ref(key), state };
  };
  const call = (args: MockCallArgs): Record<string, unknown> => {
    const fields = PSEUDO_CALLS[args.token];
    if (!fields) {
      unsupportedCalls.push(args.token);
      return {};
    }
    const result: Record<string, unknown> = {};
    for (const [field, pseudo] of Object.entries(fields)) result[field] = markers.pseudo(pseudo);
    if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
      result.arn = markers.unsupported("the caller's ARN (getCallerIdentity.arn)");
      result.userId = markers.unsupported("the caller's user id (getCallerIdentity.userId)");
    }
    return result;
  };
  return { hooks: { newResource, call }, unsupportedCalls };
}
