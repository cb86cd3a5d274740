/**
 * The stack's tags, decided once: Project, Environment and ManagedBy plus the stack's extra
 * tags. aws-native resources take tags as a list of {key, value} (most) or as a map (a few,
 * and classic @pulumi/aws resources); both shapes come from the same StackTags.
 */
import type * as aws_native from "@pulumi/aws-native";

export const MANAGED_BY = "pulumi";

export type TagMap = Record<string, string>;

export interface StackTagsArgs {
  project: string;
  environment: string;
  extraTags?: TagMap;
}

export class StackTags {
  /** The tags as a map, standard keys last so extra tags cannot shadow them. */
  public readonly map: Readonly<TagMap>;

  constructor(args: StackTagsArgs) {
    this.map = Object.freeze({
      ...(args.extraTags ?? {}),
      Project: args.project,
      Environment: args.environment,
      ManagedBy: MANAGED_BY,
    });
  }

  /** The list shape most aws-native resources take (`tags: [{key, value}]`), sorted by key. */
  get list(): aws_native.types.input.TagArgs[] {
    return Object.keys(this.map)
      .sort()
      .map((key) => ({ key, value: this.map[key] }));
  }

  /** The map shape (`tags: {Key: "value"}`) some aws-native and all classic resources take. */
  get record(): TagMap {
    return { ...this.map };
  }
}
