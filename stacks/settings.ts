/**
 * Deploy settings: what a stage is, chosen by environment variables at `sst deploy` time —
 * never by the stage's name. `npm run deploy:check` prints the settings a deploy would use.
 *
 *   JONQUILS_PROFILE=standard|dev   standard (default): NAT gateway, OpenSearch, RDS with
 *                                   backups; dev: a NAT instance, no OpenSearch (search on
 *                                   PostgreSQL), smallest sizes — see docs/deploy.md for costs.
 *   JONQUILS_PROTECT=true|false     true: the database refuses deletion and leaves a snapshot,
 *                                   the buckets are kept on `sst remove`, Multi-AZ, 14-day backups.
 *   JONQUILS_WEB_ACL_ARN=arn:…      a WAF web ACL (scope CLOUDFRONT, us-east-1) for the web
 *                                   distribution. (API Gateway HTTP APIs cannot take a WAF.)
 *   JONQUILS_DOMAIN=music.example.com  JONQUILS_CERTIFICATE_ARN=arn:aws:acm:us-east-1:…
 *                                   a custom domain for the web app, so CloudFront enforces
 *                                   TLS 1.2 (its default *.cloudfront.net certificate cannot).
 */
export interface DeploySettings {
  readonly profile: "standard" | "dev";
  readonly protect: boolean;
  readonly webAclArn: string | undefined;
  readonly domain: { readonly name: string; readonly certificateArn: string } | undefined;
}

const bool = (name: string, value: string | undefined): boolean => {
  if (value === undefined || value === "") return false;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new Error(`${name}: expected true or false, got ${JSON.stringify(value)}`);
};

/** Reads and validates the settings; a wrong value fails the synthesis naming the variable. */
export function readSettings(
  env: Record<string, string | undefined> = process.env,
): DeploySettings {
  const profile = env["JONQUILS_PROFILE"] || "standard";
  if (profile !== "standard" && profile !== "dev")
    throw new Error(`JONQUILS_PROFILE: expected standard or dev, got ${JSON.stringify(profile)}`);
  const webAclArn = env["JONQUILS_WEB_ACL_ARN"] || undefined;
  if (webAclArn && !/^arn:aws[\w-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+/.test(webAclArn))
    throw new Error(
      "JONQUILS_WEB_ACL_ARN: expected a CLOUDFRONT-scope WAFv2 web ACL ARN (arn:aws:wafv2:us-east-1:<account>:global/webacl/…)",
    );
  const name = env["JONQUILS_DOMAIN"] || undefined;
  const certificateArn = env["JONQUILS_CERTIFICATE_ARN"] || undefined;
  if (Boolean(name) !== Boolean(certificateArn))
    throw new Error("JONQUILS_DOMAIN and JONQUILS_CERTIFICATE_ARN: set both or neither");
  if (certificateArn && !/^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\/.+/.test(certificateArn))
    throw new Error("JONQUILS_CERTIFICATE_ARN: CloudFront needs an ACM certificate in us-east-1");
  return {
    profile,
    protect: bool("JONQUILS_PROTECT", env["JONQUILS_PROTECT"]),
    webAclArn,
    domain: name && certificateArn ? { name, certificateArn } : undefined,
  };
}
