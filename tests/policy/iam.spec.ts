import * as assert from "assert";
import { checkIamLeastPrivilege, isWildcardResource, RESOURCE_WILDCARD_EXCEPTIONS } from "../../policy/iam";
import { UNKNOWN } from "../../policy/values";
import { goodRole, withChange } from "./fixtures";

type Any = Record<string, any>;
const ROLE = "aws-native:iam:Role";

/** A role whose one inline policy has these statements. */
function roleWith(...statements: Any[]): Any {
  return withChange(goodRole() as Any, (r) => (r.policies[0].policyDocument.Statement = statements));
}

describe("policy: IAM least privilege", () => {
  it("accepts a role whose statements name exact actions and resources", () => {
    assert.deepStrictEqual(checkIamLeastPrivilege(ROLE, goodRole()), []);
  });

  it('rejects the action "*" and service-wide or partial wildcards, naming each', () => {
    const violations = checkIamLeastPrivilege(
      ROLE,
      roleWith({ Effect: "Allow", Action: ["*", "s3:*", "dynamodb:Get*"], Resource: "arn:aws:s3:::b/*" }),
    );
    assert.strictEqual(violations.length, 3);
    assert.match(violations[0], /policies\[0\] "thumbnailer" Statement\[0\] allows the wildcard action "\*"/);
    assert.match(violations[1], /"s3:\*"/);
    assert.match(violations[2], /"dynamodb:Get\*"/);
  });

  it('rejects the resource "*" and ARNs whose resource part is "*"', () => {
    assert.match(
      checkIamLeastPrivilege(ROLE, roleWith({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" })).join(),
      /wildcard resource "\*"/,
    );
    assert.strictEqual(
      checkIamLeastPrivilege(ROLE, roleWith({ Effect: "Allow", Action: "s3:GetObject", Resource: ["arn:aws:s3:::*"] })).length,
      1,
    );
    assert.ok(isWildcardResource("arn:aws:logs:*:*:*"));
    assert.ok(!isWildcardResource("arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/f:*"), "log streams of one group are not a wildcard");
    assert.ok(!isWildcardResource("arn:aws:s3:::bucket/*"), "objects of one bucket are not a wildcard");
  });

  it('allows "*" only for actions AWS authorizes solely on "*" (the documented exceptions)', () => {
    assert.ok("cloudwatch:PutMetricData" in RESOURCE_WILDCARD_EXCEPTIONS);
    const exempt = roleWith({ Effect: "Allow", Action: ["cloudwatch:PutMetricData", "xray:PutTraceSegments"], Resource: "*" });
    assert.deepStrictEqual(checkIamLeastPrivilege(ROLE, exempt), []);
    const mixed = roleWith({ Effect: "Allow", Action: ["cloudwatch:PutMetricData", "s3:GetObject"], Resource: "*" });
    const violations = checkIamLeastPrivilege(ROLE, mixed);
    assert.strictEqual(violations.length, 1);
    assert.match(violations[0], /\["s3:GetObject"\] on the wildcard resource/);
  });

  it("treats NotAction and NotResource in an Allow as wildcards", () => {
    const violations = checkIamLeastPrivilege(ROLE, roleWith({ Effect: "Allow", NotAction: "iam:*", NotResource: "arn:aws:s3:::b" }));
    assert.strictEqual(violations.length, 2);
  });

  it("does not judge Deny statements (they narrow access)", () => {
    assert.deepStrictEqual(checkIamLeastPrivilege(ROLE, roleWith({ Effect: "Deny", Action: "*", Resource: "*" })), []);
  });

  it("rejects a trust policy any principal can assume", () => {
    const open = withChange(goodRole() as Any, (r) => (r.assumeRolePolicyDocument.Statement[0].Principal = { AWS: "*" }));
    assert.match(checkIamLeastPrivilege(ROLE, open).join(), /assumeRolePolicyDocument Statement\[0\] lets any principal assume the role/);
  });

  it("reads documents given as JSON strings, and rejects one that is not JSON", () => {
    const asString = withChange(
      goodRole() as Any,
      (r) => (r.policies[0].policyDocument = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] })),
    );
    assert.strictEqual(checkIamLeastPrivilege(ROLE, asString).length, 2);
    const broken = withChange(goodRole() as Any, (r) => (r.policies[0].policyDocument = "{not json"));
    assert.match(checkIamLeastPrivilege(ROLE, broken).join(), /is not a JSON policy document/);
  });

  it("checks standalone policies of aws-native and the classic provider", () => {
    const document = { Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }] };
    for (const [type, props] of [
      ["aws-native:iam:ManagedPolicy", { policyDocument: document }],
      ["aws-native:iam:RolePolicy", { policyDocument: document, roleName: "r", policyName: "p" }],
      ["aws:iam/rolePolicy:RolePolicy", { policy: JSON.stringify(document) }],
      ["aws:iam/policy:Policy", { policy: JSON.stringify(document) }],
    ] as const) {
      assert.strictEqual(checkIamLeastPrivilege(type, props as Any).length, 1, type);
    }
  });

  it("judges the known parts of a document during preview and leaves unknown ones to `pulumi up`", () => {
    const preview = roleWith(
      { Effect: "Allow", Action: "dynamodb:PutItem", Resource: UNKNOWN },
      { Effect: "Allow", Action: "s3:GetObject", Resource: [UNKNOWN, "*"] },
    );
    const violations = checkIamLeastPrivilege(ROLE, preview);
    assert.strictEqual(violations.length, 1);
    assert.match(violations[0], /Statement\[1\]/);
    assert.deepStrictEqual(
      checkIamLeastPrivilege(
        ROLE,
        withChange(goodRole() as Any, (r) => (r.policies[0].policyDocument = UNKNOWN)),
      ),
      [],
    );
  });

  it("rejects attaching AWS managed policies, which are written for every account", () => {
    const admin = { ...goodRole(), managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] };
    assert.match(
      checkIamLeastPrivilege(ROLE, admin).join(),
      /attaches the AWS managed policy "arn:aws:iam::aws:policy\/AdministratorAccess"/,
    );
    const basic = { ...goodRole(), managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"] };
    assert.strictEqual(checkIamLeastPrivilege(ROLE, basic).length, 1);
    assert.strictEqual(
      checkIamLeastPrivilege("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
        role: "r",
        policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
      }).length,
      1,
    );
  });

  it("accepts the account's own managed policies (judged as their own resources)", () => {
    const own = { ...goodRole(), managedPolicyArns: ["arn:aws:iam::123456789012:policy/thumbnails-read"] };
    assert.deepStrictEqual(checkIamLeastPrivilege(ROLE, own), []);
  });

  it("ignores types that carry no IAM documents", () => {
    assert.deepStrictEqual(
      checkIamLeastPrivilege("aws-native:s3:BucketPolicy", {
        policyDocument: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      }),
      [],
    );
  });
});
