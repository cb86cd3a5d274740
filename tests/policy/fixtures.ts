/** Compliant resource inputs in the shape the aws-native SDK (and so the policy engine) uses. */
export const TAGS = [
  { key: "Project", value: "thumbnails" },
  { key: "Environment", value: "dev" },
  { key: "ManagedBy", value: "pulumi" },
];

export function tagsFor(environment: string) {
  return TAGS.map((t) => (t.key === "Environment" ? { key: "Environment", value: environment } : t));
}

export function goodBucket(name = "thumbnails-dev-source"): Record<string, unknown> {
  return {
    bucketName: name,
    publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    bucketEncryption: {
      serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    },
    ownershipControls: { rules: [{ objectOwnership: "BucketOwnerEnforced" }] },
    tags: TAGS,
  };
}

export function tlsOnlyPolicyDocument(bucketName: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

export function lambdaTrustPolicy(): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

export function goodRole(): Record<string, unknown> {
  return {
    assumeRolePolicyDocument: lambdaTrustPolicy(),
    policies: [
      {
        policyName: "thumbnailer",
        policyDocument: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: "arn:aws:s3:::thumbnails-dev-source/*" },
            { Effect: "Allow", Action: "dynamodb:PutItem", Resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/ImageMetadata" },
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/thumbnails-dev:*",
            },
          ],
        },
      },
    ],
    tags: TAGS,
  };
}

export function goodFunction(): Record<string, unknown> {
  return {
    functionName: "thumbnails-dev-thumbnailer",
    runtime: "nodejs22.x",
    architectures: ["arm64"],
    loggingConfig: { logGroup: "/thumbnails/dev/thumbnailer", logFormat: "JSON" },
    tags: TAGS,
  };
}

export function goodTable(environment = "dev"): Record<string, unknown> {
  const prod = environment === "prod";
  return {
    tableName: `thumbnails-${environment}-ImageMetadata`,
    sseSpecification: { sseEnabled: true },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: prod },
    deletionProtectionEnabled: prod,
    tags: tagsFor(environment),
  };
}

/** A deep copy with one change, so each failing case differs from a passing one in one place. */
export function withChange<T>(value: T, change: (copy: T) => void): T {
  const copy = JSON.parse(JSON.stringify(value)) as T;
  change(copy);
  return copy;
}

/**
 * What aws-native providers before pulumi-aws-native#2962 store as outputs: every JSON key with a
 * lower-case first letter, policy documents included ("Statement" → "statement").
 */
export function lowerCamelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerCamelKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), lowerCamelKeys(v)]));
  }
  return value;
}
