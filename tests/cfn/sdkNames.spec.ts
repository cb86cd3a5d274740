import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { lowerAcronyms, toSdkName, toSdkTopLevelName, toSdkTypeToken } from "../../tools/cfn/sdkNames";
import { ResourceSchemas } from "../../tools/cfn/schemas";

describe("SDK names (aws-native's spelling of CloudFormation names)", () => {
  it("lower-cases acronym runs, keeping the next word's capital", () => {
    assert.equal(toSdkName("SSEAlgorithm"), "sseAlgorithm");
    assert.equal(toSdkName("KMSMasterKeyID"), "kmsMasterKeyId");
    assert.equal(toSdkName("KMSMasterKeyId"), "kmsMasterKeyId");
    assert.equal(toSdkName("OKActions"), "okActions");
    assert.equal(toSdkName("SSESpecification"), "sseSpecification");
    assert.equal(toSdkName("WebsiteURL"), "websiteUrl");
    assert.equal(toSdkName("BucketName"), "bucketName");
  });

  it("treats digits as part of an acronym and a lone plural s as its end", () => {
    assert.equal(lowerAcronyms("EC2ManagedKey"), "Ec2ManagedKey");
    assert.equal(lowerAcronyms("SomeARNs"), "SomeArns");
    assert.equal(lowerAcronyms("IPAddress"), "IpAddress");
    assert.equal(lowerAcronyms("ACatAndADog"), "ACatAndADog");
  });

  it("renames a resource's top-level Id to awsId, and only there", () => {
    assert.equal(toSdkTopLevelName("Id"), "awsId");
    assert.equal(toSdkName("Id"), "id");
  });

  it("derives aws-native type tokens from CloudFormation types", () => {
    assert.equal(toSdkTypeToken("AWS::S3::Bucket"), "aws-native:s3:Bucket");
    assert.equal(toSdkTypeToken("AWS::EC2::VPC"), "aws-native:ec2:Vpc");
    assert.equal(toSdkTypeToken("AWS::Config::ConfigRule"), "aws-native:configuration:ConfigRule");
    assert.throws(() => toSdkTypeToken("S3Bucket"), /not a CloudFormation resource type/);
  });

  // The convention above is aws-native's code generator, not a public API. These check it
  // against the installed SDK itself, so an upgrade that changes it fails here, loudly.
  describe("against the installed @pulumi/aws-native", () => {
    const root = path.dirname(require.resolve("@pulumi/aws-native/package.json"));
    const modules = ["s3", "dynamodb", "lambda", "iam", "logs", "cloudwatch", "sns", "sqs", "events", "kms"];

    function sdkResources(): Array<{ token: string; inputs: string[] }> {
      const found: Array<{ token: string; inputs: string[] }> = [];
      for (const module of modules) {
        const dir = path.join(root, module);
        if (!fs.existsSync(dir)) continue;
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".js"))) {
          const source = fs.readFileSync(path.join(dir, file), "utf8");
          const token = /__pulumiType = '([^']+)'/.exec(source)?.[1];
          if (!token) continue;
          const inputs = [...source.matchAll(/resourceInputs\["(\w+)"\] = args\?\.\w+/g)].map((m) => m[1]);
          found.push({ token, inputs });
        }
      }
      return found;
    }

    it("finds the CloudFormation type of the resources a pipeline uses, and of nearly all others", () => {
      const schemas = ResourceSchemas.shared();
      const resources = sdkResources();
      assert.ok(resources.length > 50, `expected the SDK's resources under ${root}, found ${resources.length}`);
      const pipelineTypes = [
        "s3:Bucket",
        "s3:BucketPolicy",
        "dynamodb:Table",
        "lambda:Function",
        "lambda:Permission",
        "lambda:EventInvokeConfig",
        "iam:Role",
        "iam:RolePolicy",
        "logs:LogGroup",
        "cloudwatch:Alarm",
        "cloudwatch:Dashboard",
        "sns:Topic",
        "sns:Subscription",
        "sns:TopicPolicy",
        "sqs:Queue",
      ];
      for (const t of pipelineTypes) {
        const token = `aws-native:${t}`;
        assert.ok(
          resources.some((r) => r.token === token),
          `the SDK has no ${token}`,
        );
        assert.ok(schemas.resourceForToken(token), `no CloudFormation type for ${token}`);
      }
      // A resource newer in aws-native than in the schema database may miss; a change of
      // naming convention would make most of them miss.
      const missing = resources.filter((r) => !schemas.resourceForToken(r.token)).map((r) => r.token);
      assert.ok(missing.length <= resources.length / 50, `no CloudFormation type for ${missing.join(", ")}`);
    });

    it("maps every top-level input of those resources to a CloudFormation property", () => {
      const schemas = ResourceSchemas.shared();
      const unknown: string[] = [];
      for (const { token, inputs } of sdkResources()) {
        const schema = schemas.resourceForToken(token);
        if (!schema) continue;
        const names = schemas.resourcePropertyNames(schema);
        for (const input of inputs) if (!names.has(input)) unknown.push(`${token}.${input}`);
      }
      assert.deepEqual(unknown, []);
    });
  });
});
