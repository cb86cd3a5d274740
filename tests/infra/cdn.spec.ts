import * as assert from "assert";
import { one, ofType, runWith, stackRun } from "../helpers/program";
import { CACHING_OPTIMIZED_POLICY_ID } from "../../infra/serving/thumbnailCdn";

describe("ThumbnailCdn", () => {
  describe("prod (cdn: true)", () => {
    it("serves the thumbnail bucket over HTTPS only, compressed, with the cache policy that honours the thumbnails' Cache-Control", async () => {
      const run = await stackRun("prod");
      const distribution = one(run, "aws-native:cloudfront:Distribution");
      const config = distribution.inputs.distributionConfig;
      const bucket = one(run, "aws-native:s3:Bucket", "thumbnails").state;
      assert.strictEqual(config.enabled, true);
      assert.deepStrictEqual(
        config.origins.map((o: { domainName: string }) => o.domainName),
        [`${bucket.bucketName}.s3.${run.config["aws-native:region"]}.amazonaws.com`],
      );
      assert.strictEqual(config.defaultCacheBehavior.viewerProtocolPolicy, "https-only");
      assert.strictEqual(config.defaultCacheBehavior.compress, true);
      assert.strictEqual(config.defaultCacheBehavior.cachePolicyId, CACHING_OPTIMIZED_POLICY_ID);
      assert.deepStrictEqual(config.defaultCacheBehavior.allowedMethods, ["GET", "HEAD"]);
    });

    it("signs its requests to S3 with an Origin Access Control, not a legacy identity", async () => {
      const run = await stackRun("prod");
      const oac = one(run, "aws-native:cloudfront:OriginAccessControl");
      assert.deepStrictEqual(
        [oac.inputs.originAccessControlConfig.originAccessControlOriginType, oac.inputs.originAccessControlConfig.signingBehavior],
        ["s3", "always"],
      );
      const origin = one(run, "aws-native:cloudfront:Distribution").inputs.distributionConfig.origins[0];
      assert.strictEqual(origin.originAccessControlId, oac.state.awsId);
      assert.strictEqual(origin.s3OriginConfig.originAccessIdentity, "");
    });

    it("lets only this distribution read thumbnails, and keeps the bucket private and TLS-only", async () => {
      const run = await stackRun("prod");
      const distribution = one(run, "aws-native:cloudfront:Distribution");
      const bucket = one(run, "aws-native:s3:Bucket", "thumbnails");
      const policy = ofType(run, "aws-native:s3:BucketPolicy").find((p) => p.inputs.bucket === bucket.state.bucketName)!;
      const statements = policy.inputs.policyDocument.Statement as Record<string, any>[];
      assert.deepStrictEqual(
        statements.map((s) => s.Sid),
        ["DenyRequestsWithoutTls", "CloudFrontReadsThumbnails"],
      );
      const read = statements[1];
      assert.deepStrictEqual(read.Principal, { Service: "cloudfront.amazonaws.com" });
      assert.strictEqual(read.Action, "s3:GetObject");
      assert.strictEqual(read.Resource, `${bucket.state.arn}/*`);
      assert.deepStrictEqual(read.Condition, {
        StringEquals: { "AWS:SourceArn": `arn:aws:cloudfront::123456789012:distribution/${distribution.state.awsId}` },
      });
      assert.deepStrictEqual(bucket.inputs.publicAccessBlockConfiguration, {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
    });

    it("exports the distribution's https URL as thumbnailBaseUrl, and charts its error rates from us-east-1", async () => {
      const run = await stackRun("prod");
      const distribution = one(run, "aws-native:cloudfront:Distribution");
      assert.strictEqual(run.outputs.thumbnailBaseUrl, `https://${distribution.state.domainName}`);
      const body = JSON.parse(one(run, "aws-native:cloudwatch:Dashboard").inputs.dashboardBody);
      const widget = body.widgets.find((w: { properties: { title?: string } }) => /CDN/.test(w.properties.title ?? ""));
      assert.strictEqual(widget.properties.region, "us-east-1");
      assert.deepStrictEqual(widget.properties.metrics[0].slice(0, 6), [
        "AWS/CloudFront",
        "5xxErrorRate",
        "DistributionId",
        distribution.state.awsId,
        "Region",
        "Global",
      ]);
    });
  });

  describe("dev (cdn: false)", () => {
    it("creates no distribution and exports the bucket's regional endpoint as thumbnailBaseUrl", async () => {
      const run = await stackRun("dev");
      assert.deepStrictEqual(ofType(run, "aws-native:cloudfront:Distribution"), []);
      const bucket = one(run, "aws-native:s3:Bucket", "thumbnails").state;
      assert.strictEqual(run.outputs.thumbnailBaseUrl, `https://${bucket.bucketName}.s3.${run.config["aws-native:region"]}.amazonaws.com`);
    });

    it("adds the distribution to dev when its config turns cdn on", async () => {
      const run = await runWith({ stack: "dev", config: { cdn: true } });
      assert.strictEqual(ofType(run, "aws-native:cloudfront:Distribution").length, 1);
    });
  });
});
