import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as s3 from "aws-cdk-lib/aws-s3";
import { type StackContext } from "sst/constructs";
import { readSettings } from "./settings";

/**
 * The web app's edge: a private S3 bucket behind CloudFront (origin access control), SPA
 * routes answered with index.html. It is its own stack, created first, so the buckets' CORS
 * and the API's CORS_ORIGINS can name its origin; `WebContent` fills it once the API exists.
 */
export function Web({ stack }: StackContext) {
  const settings = readSettings();
  const bucket = new s3.Bucket(stack, "site", {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });
  // The same strict policy the local web server sends (no inline script or style), with the
  // origins the app talks to in AWS: the HTTP API, and S3 for presigned uploads, covers and
  // audio. This stack comes before the API and the buckets, so they are named by pattern.
  const aws = `${stack.region}.amazonaws.com`;
  const apiOrigin = `https://*.execute-api.${aws}`;
  const s3Origins = `https://*.s3.${aws} https://*.s3.amazonaws.com`;
  const headers = new cloudfront.ResponseHeadersPolicy(stack, "headers", {
    comment: `jonquils ${stack.stage} web: CSP and security headers`,
    securityHeadersBehavior: {
      contentSecurityPolicy: {
        override: true,
        contentSecurityPolicy: [
          "default-src 'self'",
          "script-src 'self'",
          "style-src 'self'",
          `img-src 'self' data: blob: ${apiOrigin} ${s3Origins}`,
          `media-src 'self' blob: ${apiOrigin} ${s3Origins}`,
          `connect-src 'self' ${apiOrigin} ${s3Origins}`,
          "font-src 'self'",
          "object-src 'none'",
          "base-uri 'self'",
          `form-action 'self' ${s3Origins}`,
          "frame-ancestors 'none'",
        ].join("; "),
      },
      strictTransportSecurity: {
        override: true,
        accessControlMaxAge: Duration.days(730),
        includeSubdomains: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { override: true, frameOption: cloudfront.HeadersFrameOption.DENY },
      referrerPolicy: {
        override: true,
        referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
      },
    },
  });
  const distribution = new cloudfront.Distribution(stack, "distribution", {
    comment: `jonquils ${stack.stage} web`,
    defaultRootObject: "index.html",
    defaultBehavior: {
      origin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: headers,
      compress: true,
    },
    // Client-side routes (/tracks/…): S3 answers 403 for a missing key behind OAC.
    errorResponses: [403, 404].map((httpStatus) => ({
      httpStatus,
      responseHttpStatus: 200,
      responsePagePath: "/index.html",
      ttl: Duration.seconds(0),
    })),
    // Enforced only with a custom domain (JONQUILS_DOMAIN): the default *.cloudfront.net
    // certificate always accepts TLS 1.0, whatever is set here (docs/deploy.md).
    minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
    httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    ...(settings.domain
      ? {
          domainNames: [settings.domain.name],
          certificate: acm.Certificate.fromCertificateArn(
            stack,
            "certificate",
            settings.domain.certificateArn,
          ),
        }
      : {}),
    // JONQUILS_WEB_ACL_ARN: a WAF web ACL in front of the SPA (and its edge).
    ...(settings.webAclArn ? { webAclId: settings.webAclArn } : {}),
  });
  const url = settings.domain
    ? `https://${settings.domain.name}`
    : `https://${distribution.distributionDomainName}`;
  stack.addOutputs({ WebUrl: url });
  return { bucket, distribution, url };
}
