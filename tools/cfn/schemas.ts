/**
 * AWS's published CloudFormation resource schemas, read through @aws-cdk/aws-service-spec
 * (the database AWS CDK generates its L1 constructs from). Synth takes every CloudFormation
 * type, property and attribute name from here and never spells one itself.
 */
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";
import type { PropertyType, Resource, TypeDefinition, ResourceProperties } from "@aws-cdk/service-spec-types";
import { toSdkName, toSdkTopLevelName, toSdkTypeToken } from "./sdkNames";

export type { PropertyType, Resource, TypeDefinition, ResourceProperties };
type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;

/** SDK name → CloudFormation name for one object type (a resource or a nested definition). */
export type NameTable = ReadonlyMap<string, string>;

export class ResourceSchemas {
  private byToken?: Map<string, Resource>;
  private readonly nameTables = new WeakMap<ResourceProperties, NameTable>();

  constructor(private readonly db: SpecDatabase) {}

  /** Loading the database takes about 1.5 s; synth and the tests share one copy. */
  static shared(): ResourceSchemas {
    shared ??= new ResourceSchemas(loadAwsServiceSpecSync());
    return shared;
  }

  /** The CloudFormation resource behind an aws-native type token, or undefined. */
  resourceForToken(token: string): Resource | undefined {
    if (!this.byToken) {
      this.byToken = new Map();
      for (const resource of this.db.all("resource")) this.byToken.set(toSdkTypeToken(resource.cloudFormationType), resource);
    }
    return this.byToken.get(token);
  }

  resourceForType(cloudFormationType: string): Resource | undefined {
    return this.db.lookup("resource", "cloudFormationType", "equals", cloudFormationType)[0];
  }

  definition(type: Extract<PropertyType, { type: "ref" }>): TypeDefinition {
    return this.db.get("typeDefinition", type.reference);
  }

  /** SDK → CloudFormation names of a resource's top-level properties (`Id` is `awsId`). */
  resourcePropertyNames(resource: Resource): NameTable {
    return this.nameTable(resource.properties, toSdkTopLevelName);
  }

  definitionPropertyNames(definition: TypeDefinition): NameTable {
    return this.nameTable(definition.properties, toSdkName);
  }

  /**
   * SDK → CloudFormation names of the attributes Fn::GetAtt can read (nested ones excluded);
   * attributes are top-level outputs in aws-native, so `Id` is `awsId` here too.
   */
  attributeNames(resource: Resource): NameTable {
    const table = new Map<string, string>();
    for (const name of Object.keys(resource.attributes)) if (!name.includes(".")) table.set(toSdkTopLevelName(name), name);
    return table;
  }

  /**
   * The property `Ref` returns, when it is a single one (a bucket's name, a role's name, a
   * topic's ARN); undefined for composite identifiers.
   */
  refIdentifier(resource: Resource): string | undefined {
    const identifier = resource.cfnRefIdentifier ?? resource.primaryIdentifier;
    return identifier && identifier.length === 1 ? identifier[0] : undefined;
  }

  private nameTable(properties: ResourceProperties, toSdk: (name: string) => string): NameTable {
    let table = this.nameTables.get(properties);
    if (!table) {
      const built = new Map<string, string>();
      for (const cfnName of Object.keys(properties)) built.set(toSdk(cfnName), cfnName);
      this.nameTables.set(properties, built);
      table = built;
    }
    return table;
  }
}

let shared: ResourceSchemas | undefined;
