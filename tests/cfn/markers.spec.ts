import { strict as assert } from "assert";
import { MarkerTable, MarkerTarget, Resolved } from "../../tools/cfn/markers";

const bucket = { type: "aws-native:s3:Bucket", name: "source" };
const resolve = (target: MarkerTarget): Resolved => {
  switch (target.kind) {
    case "ref":
      return { ref: "SourceBucket" };
    case "getAtt":
      return target.attribute === "VersionId" ? { noValue: true } : { getAtt: ["SourceBucket", target.attribute] };
    case "pseudo":
      return { ref: target.name };
    case "parameter":
      return { ref: target.name };
    case "unsupported":
      throw new Error(`unsupported ${target.what}`);
  }
};

describe("Reference markers", () => {
  it("gives one marker per target, valid inside an S3 bucket name", () => {
    const markers = new MarkerTable();
    const a = markers.ref(bucket);
    assert.equal(markers.ref({ ...bucket }), a);
    assert.notEqual(markers.getAtt(bucket, "Arn"), a);
    assert.match(`pipeline-${markers.pseudo("AWS::AccountId")}-${markers.pseudo("AWS::Region")}`, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
  });

  it("rewrites a whole-marker string to Ref or Fn::GetAtt", () => {
    const markers = new MarkerTable();
    assert.deepEqual(markers.rewrite(markers.ref(bucket), resolve, "fn"), { Ref: "SourceBucket" });
    assert.deepEqual(markers.rewrite(markers.getAtt(bucket, "Arn"), resolve, "fn"), { "Fn::GetAtt": ["SourceBucket", "Arn"] });
    assert.deepEqual(markers.rewrite(markers.pseudo("AWS::Region"), resolve, "fn"), { Ref: "AWS::Region" });
  });

  it("rewrites markers inside strings to Fn::Sub, escaping literal ${", () => {
    const markers = new MarkerTable();
    const value = `${markers.getAtt(bucket, "Arn")}/\${aws:username}/*`;
    assert.deepEqual(markers.rewrite(value, resolve, "fn"), { "Fn::Sub": "${SourceBucket.Arn}/${!aws:username}/*" });
    const arn = `arn:aws:s3:::${markers.parameter("SourceBucketName")}-${markers.pseudo("AWS::AccountId")}`;
    assert.deepEqual(markers.rewrite(arn, resolve, "fn"), { "Fn::Sub": "arn:aws:s3:::${SourceBucketName}-${AWS::AccountId}" });
  });

  it("rewrites markers deep in policy documents and leaves other strings alone", () => {
    const markers = new MarkerTable();
    const doc = { Statement: [{ Resource: [`${markers.getAtt(bucket, "Arn")}/*`, "arn:aws:logs:*"], Effect: "Allow" }] };
    assert.deepEqual(markers.rewrite(doc, resolve, "role"), {
      Statement: [{ Resource: [{ "Fn::Sub": "${SourceBucket.Arn}/*" }, "arn:aws:logs:*"], Effect: "Allow" }],
    });
  });

  it("turns a value with no equivalent into AWS::NoValue when whole, and refuses it inside a string", () => {
    const markers = new MarkerTable();
    const version = markers.getAtt(bucket, "VersionId");
    assert.deepEqual(markers.rewrite(version, resolve, "fn"), { Ref: "AWS::NoValue" });
    assert.throws(
      () => markers.rewrite(`v-${version}`, resolve, "fn", "code.s3ObjectVersion"),
      /fn \(property code\.s3ObjectVersion\).*inside a larger string/,
    );
  });

  it("refuses a marker in a key, naming the path", () => {
    const markers = new MarkerTable();
    assert.throws(
      () => markers.rewrite({ tags: { [markers.ref(bucket)]: "x" } }, resolve, "fn"),
      /fn \(property tags\.ck3q9.*cannot compute keys/,
    );
  });

  it("pads account and region markers to the lengths asked for, so name length limits act as in AWS", () => {
    const short = new MarkerTable("aaaa", { "AWS::AccountId": 12, "AWS::Region": 9 });
    const long = new MarkerTable("bbbb", { "AWS::AccountId": 12, "AWS::Region": 14 });
    assert.equal(short.pseudo("AWS::AccountId").length, 12);
    assert.equal(short.pseudo("AWS::Region").length, 9);
    assert.equal(long.pseudo("AWS::Region").length, 14);
    assert.deepEqual(long.rewrite(`n-${long.pseudo("AWS::Region")}`, resolve, "fn"), { "Fn::Sub": "n-${AWS::Region}" });
    assert.throws(() => new MarkerTable("aaaa", { "AWS::Region": 5 }), /below the minimum/);
  });

  it("uses the salt so that two runs get different markers", () => {
    assert.notEqual(new MarkerTable("aaaa").ref(bucket), new MarkerTable("bbbb").ref(bucket));
    assert.throws(() => new MarkerTable("AB-1"), /salt/);
    const other = new MarkerTable("bbbb").ref(bucket);
    assert.equal(new MarkerTable("aaaa").rewrite(other, resolve, "fn"), other, "another run's markers are not this table's");
  });
});
