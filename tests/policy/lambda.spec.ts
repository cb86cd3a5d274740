import * as assert from "assert";
import {
  checkFunctionsHaveManagedLogGroups,
  checkLambdaArchitecture,
  checkLambdaRuntime,
  checkLogGroupRetention,
  FUNCTION,
  LOG_GROUP,
} from "../../policy/lambda";
import { StackResource } from "../../policy/stackResource";
import { UNKNOWN } from "../../policy/values";
import { goodFunction, TAGS, withChange } from "./fixtures";

type Any = Record<string, any>;

describe("policy: Lambda functions", () => {
  describe("runtime", () => {
    it("accepts nodejs22.x and nodejs24.x", () => {
      for (const runtime of ["nodejs22.x", "nodejs24.x"]) {
        assert.deepStrictEqual(checkLambdaRuntime(FUNCTION, { ...goodFunction(), runtime }), [], runtime);
      }
    });
    it("rejects runtimes Lambda no longer creates, and other languages, naming the runtime", () => {
      assert.match(
        checkLambdaRuntime(FUNCTION, { ...goodFunction(), runtime: "nodejs20.x" }).join(),
        /runtime is "nodejs20.x"; use one of nodejs22.x, nodejs24.x/,
      );
      assert.strictEqual(checkLambdaRuntime(FUNCTION, { ...goodFunction(), runtime: "python3.9" }).length, 1);
    });
  });

  describe("architecture (advisory)", () => {
    it("accepts arm64", () => {
      assert.deepStrictEqual(checkLambdaArchitecture(FUNCTION, goodFunction()), []);
    });
    it("flags x86_64 and the unset default", () => {
      assert.match(
        checkLambdaArchitecture(FUNCTION, { ...goodFunction(), architectures: ["x86_64"] }).join(),
        /\["x86_64"\]; set \["arm64"\]/,
      );
      const unset = withChange(goodFunction() as Any, (f) => delete f.architectures);
      assert.match(checkLambdaArchitecture(FUNCTION, unset).join(), /x86_64 \(the default\)/);
    });
  });

  describe("log group retention", () => {
    it("accepts a group with retention and rejects one without", () => {
      assert.deepStrictEqual(checkLogGroupRetention(LOG_GROUP, { logGroupName: "g", retentionInDays: 30, tags: TAGS }), []);
      assert.match(checkLogGroupRetention(LOG_GROUP, { logGroupName: "g" }).join(), /retentionInDays is null/);
    });
  });

  describe("the function's log group is part of the stack (stack rule)", () => {
    const fn = (props: Any): StackResource => ({ type: FUNCTION, name: "fn", urn: "urn:fn", props });
    const group = (props: Any): StackResource => ({ type: LOG_GROUP, name: "logs", urn: "urn:logs", props });

    it("accepts a function whose loggingConfig names a group with retention", () => {
      assert.deepStrictEqual(
        checkFunctionsHaveManagedLogGroups([
          fn(goodFunction()),
          group({ logGroupName: "/thumbnails/dev/thumbnailer", retentionInDays: 14 }),
        ]),
        [],
      );
    });
    it("accepts Lambda's default group name when the stack declares it", () => {
      const props = withChange(goodFunction() as Any, (f) => delete f.loggingConfig);
      assert.deepStrictEqual(
        checkFunctionsHaveManagedLogGroups([
          fn(props),
          group({ logGroupName: "/aws/lambda/thumbnails-dev-thumbnailer", retentionInDays: 14 }),
        ]),
        [],
      );
    });
    it("reports a function whose group the stack does not declare, at the function", () => {
      const violations = checkFunctionsHaveManagedLogGroups([fn(goodFunction())]);
      assert.strictEqual(violations.length, 1);
      assert.strictEqual(violations[0].urn, "urn:fn");
      assert.match(violations[0].message, /"\/thumbnails\/dev\/thumbnailer", which no aws-native:logs:LogGroup of this stack declares/);
    });
    it("reports a declared group without retention", () => {
      assert.match(
        checkFunctionsHaveManagedLogGroups([fn(goodFunction()), group({ logGroupName: "/thumbnails/dev/thumbnailer" })])[0].message,
        /retentionInDays is null/,
      );
    });
    it("reports an autonamed function without loggingConfig", () => {
      const props = withChange(goodFunction() as Any, (f) => {
        delete f.loggingConfig;
        delete f.functionName;
      });
      assert.strictEqual(checkFunctionsHaveManagedLogGroups([fn(props)]).length, 1);
    });
    it("matches a group whose name is computed through the loggingConfig dependency (preview)", () => {
      const props = withChange(goodFunction() as Any, (f) => (f.loggingConfig.logGroup = UNKNOWN));
      assert.deepStrictEqual(checkFunctionsHaveManagedLogGroups([fn(props)]), []);
    });
  });
});
