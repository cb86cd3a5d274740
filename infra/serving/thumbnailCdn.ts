/**
 * CloudFront in front of the thumbnail bucket, so apps can show thumbnails without the bucket
 * ever being public: an Origin Access Control signs CloudFront's requests to S3, and the
 * bucket's policy admits only this distribution (`cdnReadStatement`, condition on
 * AWS:SourceArn). HTTPS only, compression on, and the managed CachingOptimized policy, which
 * honours the `max-age=31536000, immutable` the thumbnails carry (contract/thumbnailKeys.ts).
 *
 * The origin is addressed by the bucket's name, known before the bucket exists, so the
 * distribution is created first and the bucket's policy, which names the distribution, after.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws_native from "@pulumi/aws-native";

/** AWS's managed "CachingOptimized" cache policy: TTLs from the origin's Cache-Control (1 s to 1 year), gzip and Brotli. */
export const CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6";

/** North America and Europe edges only: the cheapest price class; a media company serving elsewhere raises it. */
export const PRICE_CLASS = "PriceClass_100";

export interface ThumbnailCdnArgs {
  /** The thumbnail bucket's name and region, for its regional S3 endpoint. */
  bucketName: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** amazonaws.com (amazonaws.com.cn in China). */
  urlSuffix: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** The OAC's name, unique in the account. */
  name: string;
  tags: aws_native.types.input.TagArgs[];
}

export class ThumbnailCdn extends pulumi.ComponentResource {
  public readonly distribution: aws_native.cloudfront.Distribution;
  /** https://<distribution>.cloudfront.net */
  public readonly baseUrl: pulumi.Output<string>;
  public readonly distributionId: pulumi.Output<string>;
  public readonly distributionArn: pulumi.Output<string>;

  constructor(name: string, args: ThumbnailCdnArgs, opts?: pulumi.ComponentResourceOptions) {
    super("thumbnails:serving:ThumbnailCdn", name, {}, opts);

    const accessControl = new aws_native.cloudfront.OriginAccessControl(
      `${name}-oac`,
      {
        originAccessControlConfig: {
          name: args.name,
          description: "CloudFront signs its requests to the thumbnail bucket",
          originAccessControlOriginType: "s3",
          signingBehavior: "always",
          signingProtocol: "sigv4",
        },
      },
      { parent: this },
    );

    const originId = "thumbnails";
    this.distribution = new aws_native.cloudfront.Distribution(
      `${name}-distribution`,
      {
        distributionConfig: {
          enabled: true,
          comment: `Thumbnails of ${args.name}`,
          httpVersion: "http2and3",
          ipv6Enabled: true,
          priceClass: PRICE_CLASS,
          origins: [
            {
              id: originId,
              domainName: pulumi.interpolate`${args.bucketName}.s3.${args.region}.${args.urlSuffix}`,
              originAccessControlId: accessControl.awsId,
              // Empty: the OAC, not a legacy origin access identity, authenticates.
              s3OriginConfig: { originAccessIdentity: "" },
            },
          ],
          defaultCacheBehavior: {
            targetOriginId: originId,
            viewerProtocolPolicy: "https-only",
            allowedMethods: ["GET", "HEAD"],
            cachedMethods: ["GET", "HEAD"],
            compress: true,
            cachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
          },
          viewerCertificate: { cloudFrontDefaultCertificate: true },
        },
        tags: args.tags,
      },
      { parent: this },
    );

    this.distributionId = this.distribution.awsId;
    this.distributionArn = pulumi.interpolate`arn:${args.partition}:cloudfront::${args.accountId}:distribution/${this.distribution.awsId}`;
    this.baseUrl = pulumi.interpolate`https://${this.distribution.domainName}`;
    this.registerOutputs({ baseUrl: this.baseUrl, distributionId: this.distributionId });
  }
}

/** The thumbnail bucket's policy statement that lets this distribution, and only it, read thumbnails. */
export function cdnReadStatement(objectsArn: pulumi.Input<string>, distributionArn: pulumi.Input<string>) {
  return {
    Sid: "CloudFrontReadsThumbnails",
    Effect: "Allow",
    Principal: { Service: "cloudfront.amazonaws.com" },
    Action: "s3:GetObject",
    Resource: objectsArn,
    Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
  };
}
