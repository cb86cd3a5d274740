import * as assert from "assert";
import { DISTRIBUTION, checkDistributionHttpsOnly, checkDistributionOriginAccessControl } from "../../policy/cloudfront";
import { UNKNOWN } from "../../policy/values";

type Any = Record<string, any>;

function distribution(change: (d: Any) => void = () => {}): Any {
  const d: Any = {
    distributionConfig: {
      enabled: true,
      origins: [
        {
          id: "thumbnails",
          domainName: "thumbs.s3.us-east-1.amazonaws.com",
          originAccessControlId: "E2MOCKOAC",
          s3OriginConfig: { originAccessIdentity: "" },
        },
      ],
      defaultCacheBehavior: { targetOriginId: "thumbnails", viewerProtocolPolicy: "https-only" },
    },
  };
  change(d);
  return d;
}

describe("policy: CloudFront distributions", () => {
  describe("HTTPS only", () => {
    it("accepts https-only and redirect-to-https", () => {
      assert.deepStrictEqual(checkDistributionHttpsOnly(DISTRIBUTION, distribution()), []);
      const redirect = distribution((d) => (d.distributionConfig.defaultCacheBehavior.viewerProtocolPolicy = "redirect-to-https"));
      assert.deepStrictEqual(checkDistributionHttpsOnly(DISTRIBUTION, redirect), []);
    });
    it("names each behaviour that allows plain HTTP", () => {
      const props = distribution((d) => {
        d.distributionConfig.defaultCacheBehavior.viewerProtocolPolicy = "allow-all";
        d.distributionConfig.cacheBehaviors = [{ pathPattern: "/x/*", viewerProtocolPolicy: "allow-all" }];
      });
      const violations = checkDistributionHttpsOnly(DISTRIBUTION, props);
      assert.strictEqual(violations.length, 2);
      assert.match(violations[0], /defaultCacheBehavior.viewerProtocolPolicy is "allow-all"/);
      assert.match(violations[1], /cacheBehaviors\[0\]/);
    });
    it("waits for values known only after deployment", () => {
      assert.deepStrictEqual(checkDistributionHttpsOnly(DISTRIBUTION, { distributionConfig: UNKNOWN }), []);
    });
  });

  describe("S3 origin access", () => {
    it("accepts an S3 origin with an Origin Access Control", () => {
      assert.deepStrictEqual(checkDistributionOriginAccessControl(DISTRIBUTION, distribution()), []);
    });
    it("rejects an S3 origin without one, and a legacy origin access identity", () => {
      const props = distribution((d) => {
        delete d.distributionConfig.origins[0].originAccessControlId;
        d.distributionConfig.origins[0].s3OriginConfig.originAccessIdentity = "origin-access-identity/cloudfront/E1";
      });
      const violations = checkDistributionOriginAccessControl(DISTRIBUTION, props);
      assert.match(violations.join("\n"), /without originAccessControlId/);
      assert.match(violations.join("\n"), /legacy origin access identity/);
    });
    it("ignores origins that are not S3 buckets, and other resource types", () => {
      const custom = distribution(
        (d) => (d.distributionConfig.origins = [{ id: "api", domainName: "api.example.com", customOriginConfig: {} }]),
      );
      assert.deepStrictEqual(checkDistributionOriginAccessControl(DISTRIBUTION, custom), []);
      assert.deepStrictEqual(checkDistributionOriginAccessControl("aws-native:s3:Bucket", {}), []);
    });
  });
});
