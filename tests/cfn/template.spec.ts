/** The template builder on hand-made registrations (no program run). */
import { strict as assert } from "assert";
import { CODE_OBJECT_ATTRIBUTES } from "../../tools/cfn/codeAsset";
import { MarkerTable } from "../../tools/cfn/markers";
import { mergeOptionalParameters } from "../../tools/cfn/merge";
import { ResourceSchemas } from "../../tools/cfn/schemas";
import { RegisteredResource, TemplateSpec, buildTemplate, checkParametersUsed } from "../../tools/cfn/template";

const urn = (type: string, name: string) => `urn:pulumi:dev::proj::${type}::${name}`;
function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<RegisteredResource> = {},
): RegisteredResource {
  return { urn: urn(type, name), type, name, inputs, custom: true, dependsOn: [], ...extra };
}
const spec = (extra: Partial<TemplateSpec> = {}): TemplateSpec => ({ description: "test", parameters: {}, outputs: {}, ...extra });

describe("Template builder", () => {
  const schemas = ResourceSchemas.shared();

  it("turns references into Ref / Fn::GetAtt / Fn::Sub and pseudo parameters", () => {
    const m = new MarkerTable();
    const bucket = { type: "aws-native:s3:Bucket", name: "uploads" };
    const { template } = buildTemplate(
      schemas,
      m,
      [
        resource(bucket.type, bucket.name, { bucketName: `uploads-${m.pseudo("AWS::AccountId")}` }),
        resource("aws-native:s3:BucketPolicy", "uploads-policy", {
          bucket: m.ref(bucket),
          policyDocument: { Statement: [{ Effect: "Deny", Resource: [m.getAtt(bucket, "Arn"), `${m.getAtt(bucket, "Arn")}/*`] }] },
        }),
      ],
      spec({ outputs: { bucketName: m.ref(bucket) } }),
    );
    assert.deepEqual(template.Resources.Uploads.Properties, { BucketName: { "Fn::Sub": "uploads-${AWS::AccountId}" } });
    assert.deepEqual(template.Resources.UploadsPolicy.Properties, {
      Bucket: { Ref: "Uploads" },
      PolicyDocument: {
        Statement: [{ Effect: "Deny", Resource: [{ "Fn::GetAtt": ["Uploads", "Arn"] }, { "Fn::Sub": "${Uploads.Arn}/*" }] }],
      },
    });
    assert.deepEqual(template.Outputs.BucketName.Value, { Ref: "Uploads" });
  });

  it("writes explicit dependsOn as DependsOn, expanding components and dropping what a reference already implies", () => {
    const m = new MarkerTable();
    const role = resource("aws-native:iam:Role", "role", { assumeRolePolicyDocument: {} }, { parent: urn("my:index:Component", "comp") });
    const group = resource("aws-native:logs:LogGroup", "logs", {}, { parent: urn("my:index:Component", "comp") });
    const component: RegisteredResource = {
      urn: urn("my:index:Component", "comp"),
      type: "my:index:Component",
      name: "comp",
      inputs: {},
      custom: false,
    };
    const fn = resource("aws-native:lambda:Function", "fn", { role: m.getAtt(role, "Arn") }, { dependsOn: [component.urn] });
    const { template } = buildTemplate(schemas, m, [component, role, group, fn], spec());
    assert.deepEqual(template.Resources.Fn.DependsOn, ["Logs"], "Role is implied by Fn::GetAtt (cfn-lint W3005)");
  });

  it("retains resources whose Pulumi options retain or protect them", () => {
    const { template } = buildTemplate(
      schemas,
      new MarkerTable(),
      [
        resource("aws-native:dynamodb:Table", "kept", {}, { retainOnDelete: true }),
        resource("aws-native:s3:Bucket", "guarded", {}, { protect: true }),
        resource("aws-native:s3:Bucket", "plain", {}),
      ],
      spec(),
    );
    for (const id of ["Kept", "Guarded"]) {
      assert.equal(template.Resources[id].DeletionPolicy, "Retain");
      assert.equal(template.Resources[id].UpdateReplacePolicy, "Retain");
    }
    assert.equal(template.Resources.Plain.DeletionPolicy, "Delete", "a bucket holds data: its fate is said explicitly");
    const { template: other } = buildTemplate(schemas, new MarkerTable(), [resource("aws-native:iam:Role", "role", {})], spec());
    assert.equal(other.Resources.Role.DeletionPolicy, undefined, "a role holds no data");
  });

  it("refuses a classic resource with no CloudFormation type, naming it", () => {
    assert.throws(
      () => buildTemplate(schemas, new MarkerTable(), [resource("aws:sns/topic:Topic", "alerts", {})], spec()),
      /alerts: aws:sns\/topic:Topic is not a CloudFormation resource type/,
    );
  });

  it("leaves out what the spec leaves out, with stand-ins for its attributes", () => {
    const m = new MarkerTable();
    const code = { type: "aws:s3/bucketObjectv2:BucketObjectv2", name: "code" };
    const { template, leftOut } = buildTemplate(
      schemas,
      m,
      [
        resource(code.type, code.name, {}),
        resource("aws-native:lambda:Function", "fn", {
          code: { s3Bucket: m.getAtt(code, "bucket"), s3Key: m.getAtt(code, "key"), s3ObjectVersion: m.getAtt(code, "versionId") },
        }),
      ],
      spec({
        leaveOut: () => ({
          reason: "uploads code",
          attributes: CODE_OBJECT_ATTRIBUTES,
          parameters: { CodeArtifactBucket: { Type: "String", Description: "b" }, CodeArtifactKey: { Type: "String", Description: "k" } },
        }),
      }),
    );
    assert.deepEqual(template.Resources.Fn.Properties!.Code, {
      S3Bucket: { Ref: "CodeArtifactBucket" },
      S3Key: { Ref: "CodeArtifactKey" },
      S3ObjectVersion: { Ref: "AWS::NoValue" },
    });
    assert.deepEqual([...leftOut.keys()], ["Code"]);
    assert.equal(template.Resources.Code, undefined);
  });

  it("refuses values CloudFormation cannot provide, naming the resource and property", () => {
    const m = new MarkerTable();
    assert.throws(
      () =>
        buildTemplate(
          schemas,
          m,
          [resource("aws-native:iam:Role", "role", { description: `made by ${m.unsupported("the caller's ARN")}` })],
          spec(),
        ),
      /role \(property Description\): uses the caller's ARN, which has no CloudFormation equivalent/,
    );
    assert.throws(
      () =>
        buildTemplate(
          schemas,
          m,
          [resource("aws-native:iam:Role", "role", { description: m.ref({ type: "aws-native:s3:Bucket", name: "ghost" }) })],
          spec(),
        ),
      /role \(property Description\): refers to ghost/,
    );
  });

  it("writes the environment's literal value as a Ref of the Environment parameter", () => {
    const { template } = buildTemplate(
      schemas,
      new MarkerTable(),
      [
        resource("aws-native:s3:Bucket", "b", {
          tags: [
            { key: "Environment", value: "dev" },
            { key: "Note", value: "dev-only" },
          ],
        }),
      ],
      spec({
        parameters: { Environment: { Type: "String", Description: "e", AllowedValues: ["dev"] } },
        literalParameters: [{ value: "dev", parameter: "Environment" }],
      }),
    );
    assert.deepEqual(template.Resources.B.Properties!.Tags, [
      { Key: "Environment", Value: { Ref: "Environment" } },
      { Key: "Note", Value: "dev-only" },
    ]);
  });

  it("refuses an output that is an object, and a declared parameter nothing uses", () => {
    assert.throws(
      () => buildTemplate(schemas, new MarkerTable(), [], spec({ outputs: { settings: { a: 1 } } })),
      /output settings: is an object/,
    );
    const { template } = buildTemplate(
      schemas,
      new MarkerTable(),
      [],
      spec({ parameters: { Unused: { Type: "String", Description: "u" } } }),
    );
    assert.throws(() => checkParametersUsed(template), /parameter Unused: is declared but no resource or output uses it/);
  });

  it("merges the derived name in as Fn::If on the parameter's condition, and refuses unexplained differences", () => {
    const m = new MarkerTable();
    const build = (name: string) => {
      return buildTemplate(
        schemas,
        m,
        [resource("aws-native:s3:Bucket", "src", { bucketName: name, tags: [{ key: "k", value: "v" }] })],
        spec({ parameters: { SourceBucketName: { Type: "String", Description: "s" } }, outputs: {} }),
      ).template;
    };
    const given = build(m.parameter("SourceBucketName"));
    const derived = build(`derived-${m.pseudo("AWS::Region")}`);
    const merged = mergeOptionalParameters(given, derived, ["SourceBucketName"]);
    assert.deepEqual(merged.Resources.Src.Properties!.BucketName, {
      "Fn::If": ["HasSourceBucketName", { Ref: "SourceBucketName" }, { "Fn::Sub": "derived-${AWS::Region}" }],
    });
    assert.deepEqual(merged.Conditions, { HasSourceBucketName: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "SourceBucketName" }, ""] }] } });
    assert.throws(
      () => mergeOptionalParameters(build("a-name"), build("b-name"), ["SourceBucketName"]),
      /Src \(property BucketName\): differs .* no such parameter explains it/,
    );
  });
});
