/**
 * The dev template as synth writes it, deployed through CloudFormation's API into moto_server
 * (an AWS emulator on 127.0.0.1), and what moto then really holds: the buckets, the table and
 * its indexes, the function and its settings, the trigger permission, the dead-letter queue,
 * and the stack's outputs and exports.
 *
 * moto's CloudFormation is partial: the few resource types it cannot create are dropped from
 * the copy it deploys (DROPPED_FOR_MOTO, each with why); the pipeline's own resources never are.
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListExportsCommand,
  Stack,
  StackResource,
} from "@aws-sdk/client-cloudformation";
import { DescribeTableCommand, DynamoDBClient, TableDescription } from "@aws-sdk/client-dynamodb";
import { FunctionConfiguration, GetFunctionConfigurationCommand, GetPolicyCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { EnvVar } from "../../contract/environment";
import { METRICS_NAMESPACE, SERVICE_NAME } from "../../contract/metrics";
import { Table } from "../../contract/table";
import { deriveBucketName, functionLogGroupName, physicalName, Purpose } from "../../infra/naming";
import { CODE_BUCKET_PARAMETER } from "../../tools/cfn/codeAsset";
import { StackSynthesis, synthesize, writeSynthesis } from "../../tools/cfn/synth";
import { CfnResource, CfnTemplate } from "../../tools/cfn/template";
import { findMotoServer, MotoServer, startMotoServer } from "./support/motoServer";

const STACK = "dev";
const REGION = "us-east-1";

/**
 * Resource types left out of the copy moto deploys. moto 5.2 has no CloudFormation model for
 * the first five: it skips them with a warning (so nothing would be created or checked anyway);
 * dropping them says so here and lets the test require every remaining resource to exist.
 */
const DROPPED_FOR_MOTO: Record<string, string> = {
  "AWS::S3::BucketPolicy": "no moto CloudFormation model (skipped)",
  "AWS::SQS::QueueInlinePolicy": "no moto CloudFormation model (skipped)",
  "AWS::SNS::TopicPolicy": "no moto CloudFormation model (skipped)",
  "AWS::CloudWatch::Alarm": "no moto CloudFormation model (skipped)",
  "AWS::Lambda::EventInvokeConfig": "no moto CloudFormation model (skipped), so the dead-letter destination is not wired in moto",
  "AWS::CloudWatch::Dashboard":
    "moto has the type, but the body's Fn::Sub reads the alarms' Arn, and GetAtt on a skipped resource fails the whole stack (ValidationError: references undefined resource)",
};

/**
 * Properties removed from resources moto does create. moto 5.2 passes AWS::KMS::Key Tags in
 * CloudFormation's {Key, Value} shape to its KMS API, which wants {TagKey, TagValue}: a KeyError
 * that surfaces as "Fn::GetAtt references undefined resource" on the topic that uses the key.
 */
const PROPERTIES_DROPPED_FOR_MOTO: Record<string, string[]> = {
  "AWS::KMS::Key": ["Tags"],
};

/** What the pipeline is: never dropped, whatever moto lacks. */
const NEVER_DROPPED = [
  "AWS::S3::Bucket",
  "AWS::DynamoDB::Table",
  "AWS::Lambda::Function",
  "AWS::IAM::Role",
  "AWS::Lambda::Permission",
  "AWS::SQS::Queue",
];

/** The template with DROPPED_FOR_MOTO taken out; refuses if anything kept still points at them. */
function forMoto(template: CfnTemplate): CfnTemplate {
  const copy = JSON.parse(JSON.stringify(template)) as CfnTemplate;
  const dropped = Object.keys(copy.Resources).filter((id) => copy.Resources[id].Type in DROPPED_FOR_MOTO);
  for (const id of dropped) delete copy.Resources[id];
  for (const resource of Object.values(copy.Resources)) {
    for (const property of PROPERTIES_DROPPED_FOR_MOTO[resource.Type] ?? []) delete resource.Properties?.[property];
    if (resource.DependsOn) resource.DependsOn = resource.DependsOn.filter((d) => !dropped.includes(d));
  }
  const kept = JSON.stringify({ Resources: copy.Resources, Outputs: copy.Outputs });
  for (const id of dropped) {
    assert.ok(
      !kept.includes(`{"Ref":"${id}"}`) && !kept.includes(`"Fn::GetAtt":["${id}"`) && !kept.includes(`\${${id}`),
      `${id} (${template.Resources[id].Type}) is dropped for moto but a kept resource or output refers to it`,
    );
  }
  return copy;
}

function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

describe("The dev CloudFormation template deployed into moto", function () {
  this.timeout(120_000);
  const config = { endpoint: "", region: REGION, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  let moto: MotoServer | undefined;
  let dir: string | undefined;
  let synthesis: StackSynthesis;
  let deployed: CfnTemplate;
  let stack: Stack;
  let stackName: string;
  let accountId: string;
  let codeZip: Buffer;
  const sourceBucketName = "moto-thumbnail-uploads";
  let s3: S3Client;
  let lambda: LambdaClient;

  before(async function () {
    const executable = findMotoServer();
    if (!executable) {
      console.log(
        "      moto_server is not installed (not on PATH, not at /root/.pyenv/shims/moto_server): skipping the deploy into moto (pip install 'moto[server]')",
      );
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cfn-moto-"));
    const [synthesized, server] = await Promise.all([synthesize({ stack: STACK }), startMotoServer(executable)]);
    synthesis = synthesized;
    moto = server;
    config.endpoint = moto.endpoint;
    s3 = new S3Client({
      ...config,
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    lambda = new LambdaClient(config);

    // What a user deploys: the files synth wrote, the template read back from its YAML.
    const files = writeSynthesis(synthesis, dir);
    deployed = forMoto(YAML.parse(fs.readFileSync(files.template, "utf8")) as CfnTemplate);
    codeZip = fs.readFileSync(files.asset);
    const artifactBucket = "moto-code-artifacts";
    await s3.send(new CreateBucketCommand({ Bucket: artifactBucket }));
    await s3.send(
      new PutObjectCommand({ Bucket: artifactBucket, Key: String(deployed.Parameters.CodeArtifactKey.Default), Body: codeZip }),
    );

    // SourceBucketName given, ThumbnailBucketName left empty: both ways of naming a bucket.
    // CodeArtifactKey is left at its default, which must be where the archive was uploaded.
    stackName = `${synthesis.project}-${STACK}`;
    const cfn = new CloudFormationClient(config);
    await cfn.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: YAML.stringify(deployed),
        Capabilities: ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        Parameters: [
          { ParameterKey: CODE_BUCKET_PARAMETER, ParameterValue: artifactBucket },
          { ParameterKey: "SourceBucketName", ParameterValue: sourceBucketName },
        ],
      }),
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks![0];
      if (!stack.StackStatus!.endsWith("_IN_PROGRESS") || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    accountId = stack.StackId!.split(":")[4];
  });

  after(async () => {
    await moto?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const output = (key: string): string => {
    const found = stack.Outputs?.find((o) => o.OutputKey === key);
    assert.ok(found?.OutputValue, `stack output ${key}`);
    return found.OutputValue;
  };
  const functionName = () => physicalName(synthesis.project, STACK, Purpose.function);
  const thumbnailBucketName = () =>
    deriveBucketName({ project: synthesis.project, stack: STACK, purpose: Purpose.thumbnailBucket, accountId, region: REGION });
  const functionConfiguration = async (): Promise<FunctionConfiguration> =>
    lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName() }));

  it("drops for moto only types moto cannot create, never the pipeline's own resources", () => {
    for (const type of NEVER_DROPPED) {
      assert.ok(!(type in DROPPED_FOR_MOTO), `${type} is never dropped`);
      assert.ok(resourcesOfType(deployed, type).length > 0, `the deployed copy has a ${type}`);
    }
    const original = synthesis.template;
    const droppedIds = Object.keys(original.Resources).filter((id) => !(id in deployed.Resources));
    assert.deepEqual(
      new Set(droppedIds.map((id) => original.Resources[id].Type)),
      new Set(Object.keys(DROPPED_FOR_MOTO).filter((t) => resourcesOfType(original, t).length > 0)),
    );
    assert.deepEqual(deployed.Outputs, original.Outputs, "every output is kept");
  });

  it("reaches CREATE_COMPLETE with every resource of the deployed template created", async () => {
    assert.equal(stack.StackStatus, "CREATE_COMPLETE", `${stack.StackStatus}: ${stack.StackStatusReason ?? ""}`);
    const cfn = new CloudFormationClient(config);
    const resources: StackResource[] = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
    const created = Object.fromEntries(resources.map((r) => [r.LogicalResourceId!, `${r.ResourceType} ${r.ResourceStatus}`]));
    const expected = Object.fromEntries(Object.entries(deployed.Resources).map(([id, r]) => [id, `${r.Type} CREATE_COMPLETE`]));
    assert.deepEqual(created, expected, "moto skips types it cannot create: none may be left in the deployed copy");
  });

  it("creates the source bucket with the given name and the thumbnail bucket with the derived name, encrypted and tagged", async () => {
    assert.equal(output("SourceBucketName"), sourceBucketName);
    assert.equal(output("ThumbnailBucketName"), thumbnailBucketName());
    for (const bucket of [sourceBucketName, thumbnailBucketName()]) {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
      const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
      assert.equal(
        encryption.ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
        "AES256",
        bucket,
      );
      const tags = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
      assert.equal(tags.TagSet?.find((t) => t.Key === "Environment")?.Value, STACK, `${bucket} Environment tag`);
    }
  });

  it("sends the source bucket's new and removed objects to the function", async function () {
    const [, source] = resourcesOfType(deployed, "AWS::S3::Bucket").find(([, r]) => r.Properties?.NotificationConfiguration)!;
    const [functionId] = resourcesOfType(deployed, "AWS::Lambda::Function")[0];
    assert.deepEqual(
      source.Properties!.NotificationConfiguration,
      {
        LambdaConfigurations: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"].map((Event) => ({
          Event,
          Function: { "Fn::GetAtt": [functionId, "Arn"] },
        })),
      },
      "the deployed template asks for it",
    );
    const notification = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: sourceBucketName }));
    const configurations = notification.LambdaFunctionConfigurations ?? [];
    if (configurations.length === 0) {
      // moto 5.2's AWS::S3::Bucket takes only BucketName, BucketEncryption and Tags.
      console.log("      moto ignores NotificationConfiguration in CloudFormation: checked in the deployed template only");
      this.skip();
    }
    assert.deepEqual(
      configurations.map((c) => [c.LambdaFunctionArn, c.Events]),
      [
        [output("ThumbnailFunctionArn"), ["s3:ObjectCreated:*"]],
        [output("ThumbnailFunctionArn"), ["s3:ObjectRemoved:*"]],
      ],
    );
  });

  it("creates the metadata table keyed by ImageID with the BySourceKey and FailuresByTime indexes", async () => {
    const dynamo = new DynamoDBClient(config);
    const table: TableDescription = (await dynamo.send(new DescribeTableCommand({ TableName: output("MetadataTableName") }))).Table!;
    assert.equal(table.TableName, physicalName(synthesis.project, STACK, Purpose.table));
    assert.deepEqual(table.KeySchema, [{ AttributeName: Table.partitionKey, KeyType: "HASH" }]);
    assert.equal(table.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
    const indexes = Object.fromEntries(
      (table.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, [i.KeySchema, i.Projection?.ProjectionType]]),
    );
    const expected = Object.fromEntries(
      [Table.bySourceKey, Table.failuresByTime].map((i) => [
        i.indexName,
        [
          [
            { AttributeName: i.partitionKey, KeyType: "HASH" },
            { AttributeName: i.sortKey, KeyType: "RANGE" },
          ],
          "ALL",
        ],
      ]),
    );
    assert.deepEqual(indexes, expected);
  });

  it("creates the function on nodejs22.x from the uploaded archive, with the stack's environment variables", async () => {
    const fn = await functionConfiguration();
    assert.equal(fn.FunctionArn, output("ThumbnailFunctionArn"));
    assert.equal(fn.FunctionName, output("ThumbnailFunctionName"));
    assert.equal(fn.Runtime, "nodejs22.x");
    assert.equal(fn.Handler, "index.handler");
    assert.equal(fn.CodeSize, codeZip.length, "the archive synth wrote, found at CodeArtifactKey's default");
    assert.equal(fn.CodeSha256, createHash("sha256").update(codeZip).digest("base64"));
    assert.match(fn.Role ?? "", new RegExp(`^arn:aws:iam::${accountId}:role/`));
    const [, template] = resourcesOfType(deployed, "AWS::Lambda::Function")[0];
    assert.equal(fn.MemorySize, template.Properties!.MemorySize);
    assert.equal(fn.Timeout, template.Properties!.Timeout);

    const variables = fn.Environment?.Variables ?? {};
    // RENDITIONS and THUMBNAIL_WEBP_QUALITY are set only by a stack that configures renditions (dev keeps thumbnailSizes).
    const onlyWithRenditions: string[] = [EnvVar.Renditions, EnvVar.WebpQuality];
    assert.deepEqual(
      Object.keys(variables).sort(),
      Object.values(EnvVar)
        .filter((name) => !onlyWithRenditions.includes(name))
        .sort(),
      "exactly the contract's variables",
    );
    assert.equal(variables[EnvVar.Environment], STACK);
    assert.equal(variables[EnvVar.SourceBucket], sourceBucketName);
    assert.equal(variables[EnvVar.ThumbnailBucket], thumbnailBucketName());
    assert.equal(variables[EnvVar.MetadataTable], output("MetadataTableName"));
    assert.equal(variables[EnvVar.PowertoolsServiceName], SERVICE_NAME);
    assert.equal(variables[EnvVar.PowertoolsMetricsNamespace], METRICS_NAMESPACE);
    const templated = (template.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    for (const [name, value] of Object.entries(templated)) {
      if (typeof value === "string") assert.equal(variables[name], value, `${name} as in the template`);
    }
  });

  it("runs the function on arm64", async function () {
    const [, template] = resourcesOfType(deployed, "AWS::Lambda::Function")[0];
    assert.deepEqual(template.Properties!.Architectures, ["arm64"], "the deployed template asks for arm64");
    const fn = await functionConfiguration();
    if (fn.Architectures?.[0] === "x86_64") {
      // moto 5.2's AWS::Lambda::Function passes on only Code, Handler, Role, Runtime, Description,
      // MemorySize, Publish, Timeout, VpcConfig, Environment and ReservedConcurrentExecutions.
      console.log("      moto ignores Architectures in CloudFormation and reports its default x86_64: arm64 checked in the template only");
      this.skip();
    }
    assert.deepEqual(fn.Architectures, ["arm64"]);
  });

  it("lets only S3, for the source bucket of this account, invoke the function", async () => {
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: functionName() }));
    const statements = (JSON.parse(policy.Policy!) as { Statement: Array<Record<string, any>> }).Statement;
    assert.equal(statements.length, 1);
    const [statement] = statements;
    assert.equal(statement.Effect, "Allow");
    assert.equal(statement.Action, "lambda:InvokeFunction");
    assert.deepEqual(statement.Principal, { Service: "s3.amazonaws.com" });
    assert.equal(statement.Resource, output("ThumbnailFunctionArn"));
    assert.equal(statement.Condition?.ArnLike?.["AWS:SourceArn"], `arn:aws:s3:::${sourceBucketName}`);
    assert.equal(statement.Condition?.StringEquals?.["AWS:SourceAccount"], accountId);
  });

  it("creates the dead-letter queue the outputs name, keeping messages 14 days", async () => {
    const sqs = new SQSClient(config);
    const attributes =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: output("DeadLetterQueueUrl"), AttributeNames: ["All"] }))).Attributes ?? {};
    assert.equal(attributes.QueueArn, output("DeadLetterQueueArn"));
    assert.equal(
      attributes.QueueArn,
      `arn:aws:sqs:${REGION}:${accountId}:${physicalName(synthesis.project, STACK, Purpose.deadLetterQueue)}`,
    );
    assert.equal(attributes.MessageRetentionPeriod, String(14 * 24 * 3600));
  });

  it("exports every output as <stack name>-<output name>, with the created resources' values", async () => {
    const keys = Object.keys(synthesis.template.Outputs).sort();
    assert.deepEqual((stack.Outputs ?? []).map((o) => o.OutputKey).sort(), keys);
    for (const o of stack.Outputs ?? []) assert.equal(o.ExportName, `${stackName}-${o.OutputKey}`);
    const cfn = new CloudFormationClient(config);
    const exports = (await cfn.send(new ListExportsCommand({}))).Exports ?? [];
    assert.deepEqual(
      Object.fromEntries(exports.map((e) => [e.Name, e.Value])),
      Object.fromEntries((stack.Outputs ?? []).map((o) => [`${stackName}-${o.OutputKey}`, o.OutputValue])),
    );
    assert.equal(output("Region"), REGION);
    assert.equal(output("LogGroupName"), functionLogGroupName(functionName()));
  });
});
