/**
 * `npm run preflight`: what the stack needs from a fresh account, checked against AWS answers
 * mocked with aws-sdk-client-mock (one stub per client, reset per test).
 */
import { strict as assert } from "assert";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient, ListLayersCommand } from "@aws-sdk/client-lambda";
import { GetBucketTaggingCommand, HeadBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { FUNCTION_RUNTIME } from "../../contract/runtime";
import { deriveBucketName } from "../../infra/naming";
import { LAMBDA_MIN_UNRESERVED, main, stackPlan } from "../../tools/ops/preflight";
import { stackConfig } from "../../tools/harness/programUnderMocks";

const ACCOUNT = "111122223333";
// mockClient(Class) stubs the class's prototype for every instance in the process: created in
// before() and restored in after(), so other specs' real clients stay untouched.
let lambda: AwsClientStub<LambdaClient>;
let s3: AwsClientStub<S3Client>;
let dynamodb: AwsClientStub<DynamoDBClient>;
let sts: AwsClientStub<STSClient>;

function awsError(name: string, status: number, message = name) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

/** A fresh account: every bucket name free, no function yet, the given concurrency quota. */
function freshAccount(quota: number) {
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: quota, UnreservedConcurrentExecutions: quota } });
  lambda.on(GetFunctionConcurrencyCommand).rejects(awsError("ResourceNotFoundException", 404));
  lambda.on(ListLayersCommand).resolves({ Layers: [] });
  s3.on(HeadBucketCommand).rejects(awsError("NotFound", 404));
  s3.on(ListBucketsCommand).resolves({ Buckets: [] });
  dynamodb.on(ListTablesCommand).resolves({ TableNames: [] });
}

async function run(stack: string): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(
    ["--stack", stack],
    () => ({ lambda: new LambdaClient({}), s3: new S3Client({}), dynamodb: new DynamoDBClient({}), sts: new STSClient({}) }),
    (l) => lines.push(l),
  );
  return { code, out: lines.join("\n") };
}

const line = (out: string, check: string) => out.split("\n").find((l) => l.includes(check)) ?? "";

describe("npm run preflight", () => {
  before(() => {
    lambda = mockClient(LambdaClient);
    s3 = mockClient(S3Client);
    dynamodb = mockClient(DynamoDBClient);
    sts = mockClient(STSClient);
  });
  after(() => {
    for (const stub of [lambda, s3, dynamodb, sts]) stub.restore();
  });
  beforeEach(() => {
    for (const stub of [lambda, s3, dynamodb, sts]) stub.reset();
  });

  it("reads the stack's settings as the program does: Pulumi.<stack>.yaml over Pulumi.yaml's defaults", () => {
    const prod = stackPlan("prod");
    assert.equal(prod.config.reservedConcurrency, Number(stackConfig("prod")["thumbnail-pipeline:reservedConcurrency"]));
    assert.equal(prod.config.jpegQuality, 80, "a default only Pulumi.yaml sets");
    assert.equal(prod.functionName, "thumbnail-pipeline-prod-thumbnailer");
    assert.throws(() => stackPlan("no-such-stack"), /no Pulumi\.no-such-stack\.yaml/);
  });

  it("fails prod in a new account whose concurrency quota cannot spare its reservation, and says how to fix it", async () => {
    freshAccount(50);
    const { code, out } = await run("prod");
    assert.equal(code, 1);
    const reservable = 0; // 50 unreserved − the 100 Lambda keeps
    assert.match(
      line(out, "Lambda concurrency:"),
      /^ {2}fail {2}Lambda concurrency: reservedConcurrency is 100, .*quota is 50.*keeps 100 unreserved/,
    );
    assert.match(
      out,
      new RegExp(
        `fix: \`pulumi config set reservedConcurrency ${reservable} --stack prod\` \\(0 = no reservation\\), or request a higher "Concurrent executions" quota`,
      ),
    );
    assert.match(out, /1 check\(s\) failed/);
  });

  it("passes prod where the quota leaves 100 unreserved after its reservation, counting a reservation the function already holds", async () => {
    freshAccount(1000);
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 150 } });
    lambda.on(GetFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 100 });
    const { code, out } = await run("prod");
    assert.equal(code, 0, out);
    assert.match(
      line(out, "Lambda concurrency:"),
      new RegExp(`ok {4}Lambda concurrency: reserves 100 of ${150 + 100 - LAMBDA_MIN_UNRESERVED} reservable`),
    );
  });

  it("warns, without failing, when dev (no reservation) lands in an account with a low quota", async () => {
    freshAccount(10);
    const { code, out } = await run("dev");
    assert.equal(code, 0);
    assert.match(line(out, "Lambda concurrency quota"), /warn .*at most 10 functions at once/);
  });

  it("tells free bucket names from ones another account owns or this account already has", async () => {
    freshAccount(1000);
    const name = (purpose: string) =>
      deriveBucketName({ project: "thumbnail-pipeline", stack: "dev", purpose, accountId: ACCOUNT, region: "us-east-1" });
    s3.on(HeadBucketCommand, { Bucket: name("thumbnails") }).rejects(awsError("Forbidden", 403));
    s3.on(HeadBucketCommand, { Bucket: name("artifacts") }).resolves({});
    s3.on(GetBucketTaggingCommand, { Bucket: name("artifacts") }).resolves({
      TagSet: [
        { Key: "Project", Value: "thumbnail-pipeline" },
        { Key: "Environment", Value: "dev" },
      ],
    });
    const { code, out } = await run("dev");
    assert.equal(code, 1);
    assert.match(line(out, `bucket ${name("source")}`), /ok .*free/);
    assert.match(line(out, `bucket ${name("thumbnails")}`), /fail .*taken by another AWS account/);
    assert.match(out, /fix: choose another name: `pulumi config set thumbnailBucketName <name> --stack dev`/);
    assert.match(line(out, `bucket ${name("artifacts")}`), /ok .*this stack's/);
  });

  it("warns about an untagged bucket of the same name in this account: a first `pulumi up` could not create it", async () => {
    freshAccount(1000);
    s3.on(HeadBucketCommand).resolves({});
    s3.on(GetBucketTaggingCommand).rejects(awsError("NoSuchTagSet", 404));
    const { out } = await run("dev");
    assert.match(out, /warn {2}bucket .*\(source\): exists in this account but is not tagged as this stack's/);
  });

  it("fails when the region's Lambda does not know the runtime or arm64", async () => {
    freshAccount(1000);
    lambda
      .on(ListLayersCommand)
      .rejects(awsError("ValidationException", 400, "1 validation error detected: Value at 'compatibleRuntime' failed"));
    const { code, out } = await run("dev");
    assert.equal(code, 1);
    assert.match(
      line(out, "Lambda runtime and architecture"),
      new RegExp(`fail .*refuses ${FUNCTION_RUNTIME.replace(".", "\\.")} or arm64`),
    );
    const call = lambda.commandCalls(ListLayersCommand)[0].args[0].input;
    assert.deepEqual([call.CompatibleRuntime, call.CompatibleArchitecture], [FUNCTION_RUNTIME, "arm64"]);
  });

  it("warns when the stack's buckets or table would exceed AWS's default quotas", async () => {
    freshAccount(1000);
    s3.on(ListBucketsCommand).resolves({ Buckets: Array.from({ length: 9_999 }, (_, i) => ({ Name: `b${i}` })) });
    dynamodb
      .on(ListTablesCommand)
      .resolvesOnce({ TableNames: ["a"], LastEvaluatedTableName: "a" })
      .resolves({ TableNames: ["b"] });
    const { out } = await run("dev");
    assert.match(line(out, "S3 buckets"), /warn .*9999 buckets in use, the stack adds 3; AWS's default quota is 10000/);
    assert.match(line(out, "DynamoDB tables"), /ok .*2 tables in use/);
  });

  it("names missing credentials as the operator's problem", async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
    await assert.rejects(run("dev"), /no AWS credentials found for checking the account for stack dev/);
  });
});
