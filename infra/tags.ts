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

  /**
   * The map for an S3 object, which S3 allows at most 10 tags (PutObject fails with InvalidTag
   * beyond): the standard tags, then extra tags by key while they fit. Costs are allocated by
   * the bucket's tags, which carry all of them.
   */
  get s3ObjectRecord(): TagMap {
    const standard = ["Project", "Environment", "ManagedBy"];
    const keys = [
      ...standard,
      ...Object.keys(this.map)
        .filter((k) => !standard.includes(k))
        .sort(),
    ].slice(0, S3_OBJECT_TAG_LIMIT);
    return Object.fromEntries(keys.map((key) => [key, this.map[key]]));
  }
}

const S3_OBJECT_TAG_LIMIT = 10;
