/**
 * `npm start` must run the function as the stack deploys it. The real Pulumi program runs here
 * under mocks, and what it declares (names, function variables, memory, timeout, retries, the
 * table's keys and indexes) is compared with what the local run uses.
 */
import { strict as assert } from "assert";
import { MOCK_ACCOUNT_ID, runProgram, type ProgramRun } from "../../tools/harness/programUnderMocks";
import { metadataTableDefinition } from "../../local/provision";
import { loadStack, PROJECT_ROOT } from "../../local/stack";

function only(run: ProgramRun, type: string) {
  const found = run.resources.filter((r) => r.type === type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0].inputs;
}

const sortBy = <T>(items: T[], key: (t: T) => string) => [...items].sort((a, b) => key(a).localeCompare(key(b)));

describe("npm start and the deployed stack", function () {
  this.timeout(120_000);

  for (const stackName of ["dev", "prod"]) {
    it(`uses the ${stackName} stack's names, function settings and table keys`, async () => {
      const run = await runProgram({ stack: stackName });
      const local = loadStack(stackName, PROJECT_ROOT, MOCK_ACCOUNT_ID);

      const fn = only(run, "aws-native:lambda:Function");
      assert.equal(local.functionName, fn.functionName);
      assert.deepEqual(local.functionEnvironment, fn.environment.variables);
      assert.equal(local.memoryMb, fn.memorySize);
      assert.equal(local.timeoutSeconds, fn.timeout);
      assert.equal(local.maximumRetryAttempts, only(run, "aws-native:lambda:EventInvokeConfig").maximumRetryAttempts);

      const bucketNames = run.resources.filter((r) => r.type === "aws-native:s3:Bucket").map((r) => r.inputs.bucketName);
      assert.ok(bucketNames.includes(local.sourceBucketName), `${local.sourceBucketName} in ${bucketNames}`);
      assert.ok(bucketNames.includes(local.thumbnailBucketName), `${local.thumbnailBucketName} in ${bucketNames}`);

      const table = only(run, "aws-native:dynamodb:Table");
      const mine = metadataTableDefinition(local.tableName);
      assert.equal(table.tableName, mine.TableName);
      assert.deepEqual(
        table.keySchema.map((k: { attributeName: string; keyType: string }) => [k.attributeName, k.keyType]),
        mine.KeySchema!.map((k) => [k.AttributeName, k.KeyType]),
      );
      assert.deepEqual(
        sortBy(table.attributeDefinitions as Array<{ attributeName: string; attributeType: string }>, (a) => a.attributeName).map((a) => [
          a.attributeName,
          a.attributeType,
        ]),
        sortBy(mine.AttributeDefinitions!, (a) => a.AttributeName!).map((a) => [a.AttributeName, a.AttributeType]),
      );
      const indexes = (list: Array<{ indexName: string; keySchema: Array<{ attributeName: string; keyType: string }> }>) =>
        sortBy(list, (i) => i.indexName).map((i) => [i.indexName, i.keySchema.map((k) => `${k.attributeName}:${k.keyType}`).join(",")]);
      assert.deepEqual(
        indexes(table.globalSecondaryIndexes),
        indexes(
          mine.GlobalSecondaryIndexes!.map((i) => ({
            indexName: i.IndexName!,
            keySchema: i.KeySchema!.map((k) => ({ attributeName: k.AttributeName!, keyType: k.KeyType! })),
          })),
        ),
      );
    });
  }
});
