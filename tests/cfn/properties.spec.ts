import { strict as assert } from "assert";
import { SynthError } from "../../tools/cfn/errors";
import { toCloudFormationProperties } from "../../tools/cfn/properties";
import { ResourceSchemas } from "../../tools/cfn/schemas";

function convert(cloudFormationType: string, inputs: Record<string, unknown>) {
  const schemas = ResourceSchemas.shared();
  const resource = schemas.resourceForType(cloudFormationType);
  assert.ok(resource, `${cloudFormationType} is in the schema database`);
  return toCloudFormationProperties(schemas, resource, "my-resource", inputs);
}

describe("Property names from AWS's resource schemas", () => {
  it("spells S3's SSEAlgorithm and KMSMasterKeyID as the schema does", () => {
    const props = convert("AWS::S3::Bucket", {
      bucketName: "b",
      bucketEncryption: {
        serverSideEncryptionConfiguration: [
          { bucketKeyEnabled: true, serverSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/x" } },
        ],
      },
    });
    assert.deepEqual(props, {
      BucketName: "b",
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "alias/x" } },
        ],
      },
    });
  });

  it("spells DynamoDB's SSESpecification with KMSMasterKeyId (not S3's ...ID)", () => {
    const props = convert("AWS::DynamoDB::Table", { sseSpecification: { sseEnabled: true, sseType: "KMS", kmsMasterKeyId: "k" } });
    assert.deepEqual(props, { SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: "k" } });
  });

  it("spells CloudWatch's OKActions", () => {
    const props = convert("AWS::CloudWatch::Alarm", { okActions: ["arn:x"], alarmActions: ["arn:y"] });
    assert.deepEqual(props, { OKActions: ["arn:x"], AlarmActions: ["arn:y"] });
  });

  it("reads WebsiteURL as the SDK's websiteUrl attribute", () => {
    const schemas = ResourceSchemas.shared();
    const bucket = schemas.resourceForType("AWS::S3::Bucket")!;
    assert.equal(schemas.attributeNames(bucket).get("websiteUrl"), "WebsiteURL");
    assert.equal(schemas.attributeNames(bucket).get("arn"), "Arn");
  });

  it("maps aws-native's awsId back to a top-level Id", () => {
    assert.deepEqual(convert("AWS::MediaPackage::Channel", { awsId: "ch1" }), { Id: "ch1" });
    assert.throws(() => convert("AWS::MediaPackage::Channel", { id: "ch1" }), /no property whose SDK name is "id"/);
  });

  it("keeps the keys of Lambda environment variables (a free-form map)", () => {
    const props = convert("AWS::Lambda::Function", {
      environment: { variables: { SOURCE_BUCKET: "src", camelCaseName: "v", "with-dash": "w" } },
    });
    assert.deepEqual(props, { Environment: { Variables: { SOURCE_BUCKET: "src", camelCaseName: "v", "with-dash": "w" } } });
  });

  it("keeps IAM policy documents (JSON) key for key", () => {
    const document = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: "arn:aws:s3:::b/*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    };
    const props = convert("AWS::IAM::Role", {
      assumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      },
      policies: [{ policyName: "p", policyDocument: document }],
    });
    assert.deepEqual(props.Policies, [{ PolicyName: "p", PolicyDocument: document }]);
    assert.deepEqual((props.AssumeRolePolicyDocument as { Statement: unknown[] }).Statement[0], {
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: "sts:AssumeRole",
    });
  });

  it("writes tag lists as {Key, Value} and keeps map-shaped tags' keys", () => {
    assert.deepEqual(convert("AWS::S3::Bucket", { tags: [{ key: "Project", value: "p" }] }), { Tags: [{ Key: "Project", Value: "p" }] });
    assert.deepEqual(convert("AWS::ApiGatewayV2::Api", { tags: { Project: "p", "team:owner": "x" } }), {
      Tags: { Project: "p", "team:owner": "x" },
    });
  });

  it("refuses an unknown property, naming the resource, the path and the type", () => {
    assert.throws(
      () =>
        convert("AWS::S3::Bucket", {
          bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorythm: "AES256" } }] },
        }),
      (error: unknown) => {
        assert.ok(error instanceof SynthError);
        assert.equal(error.subject, "my-resource");
        assert.equal(
          error.propertyPath,
          "bucketEncryption.serverSideEncryptionConfiguration[0].serverSideEncryptionByDefault.sseAlgorythm",
        );
        assert.match(error.message, /ServerSideEncryptionByDefault has no property whose SDK name is "sseAlgorythm"/);
        return true;
      },
    );
  });

  it("refuses a value of the wrong shape, naming the path", () => {
    assert.throws(
      () => convert("AWS::Lambda::Function", { memorySize: { a: 1 } }),
      /my-resource \(property memorySize\): the schema expects a number/,
    );
    assert.throws(() => convert("AWS::S3::Bucket", { tags: [{ key: "a", value: 1 }] }), /property tags\[0\]\): a tag must be/);
    assert.throws(
      () => convert("AWS::S3::Bucket", { bucketEncryption: "AES256" }),
      /property bucketEncryption\): the schema expects an object/,
    );
  });

  it("refuses a resource passed by reference (its URN), naming the path", () => {
    assert.throws(
      () => convert("AWS::S3::BucketPolicy", { bucket: "urn:pulumi:dev::p::aws-native:s3:Bucket::b", policyDocument: {} }),
      /my-resource \(property bucket\): is a Pulumi resource reference/,
    );
  });

  it("omits undefined inputs", () => {
    assert.deepEqual(convert("AWS::S3::Bucket", { bucketName: undefined, tags: [] }), { Tags: [] });
  });
});
