/* eslint-disable @typescript-eslint/no-explicit-any -- CloudFormation templates are untyped JSON */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSettings } from "./settings";
import { synthesize, type SynthesizedStack } from "./testing/synthesize";

type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string };
type Resources = Record<string, Resource>;

/**
 * The stage settings (stacks/settings.ts): a protected stage in the cheap development profile,
 * behind a WAF web ACL, on a custom domain — named "staging", because protection follows the
 * setting and never the stage's name. (stacks.test.ts covers the default: unprotected, standard.)
 */
const ENV = {
  JONQUILS_PROTECT: "true",
  JONQUILS_PROFILE: "dev",
  JONQUILS_WEB_ACL_ARN: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/jq/abc",
  JONQUILS_DOMAIN: "music.example.com",
  JONQUILS_CERTIFICATE_ARN: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
};
let outdir: string;
let stacks: SynthesizedStack[];
const stack = (name: string): Resources =>
  stacks.find((s) => s.stackName.endsWith(`-${name}`))!.template.Resources as Resources;
const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), "jq-synth-profile-"));
  process.env["JONQUILS_SKIP_WEB_BUILD"] = "1";
  Object.assign(process.env, ENV);
  ({ stacks } = await synthesize({ stage: "staging", outdir }));
}, 600_000);
afterAll(async () => {
  for (const name of Object.keys(ENV)) delete process.env[name];
  await rm(outdir, { recursive: true, force: true });
});

describe("deploy settings", () => {
  it("are read from the environment and refuse wrong values, naming the variable", () => {
    expect(readSettings({})).toEqual({
      profile: "standard",
      protect: false,
      webAclArn: undefined,
      domain: undefined,
    });
    expect(() => readSettings({ JONQUILS_PROTECT: "yes please" })).toThrow(/JONQUILS_PROTECT/);
    expect(() => readSettings({ JONQUILS_PROFILE: "cheap" })).toThrow(/JONQUILS_PROFILE/);
    expect(() => readSettings({ JONQUILS_DOMAIN: "x.example.com" })).toThrow(/set both/);
    expect(() =>
      readSettings({
        JONQUILS_DOMAIN: "x.example.com",
        JONQUILS_CERTIFICATE_ARN: "arn:aws:acm:eu-central-1:123456789012:certificate/x",
      }),
    ).toThrow(/us-east-1/);
  });

  it("JONQUILS_PROTECT keeps the data of any stage: deletion protection, snapshot, Multi-AZ, kept buckets", () => {
    const [[, db]] = ofType(stack("Data"), "AWS::RDS::DBInstance") as [[string, Resource]];
    expect(db.Properties!["DeletionProtection"]).toBe(true);
    expect(db.Properties!["MultiAZ"]).toBe(true);
    expect(db.DeletionPolicy).toBe("Snapshot");
    for (const [id, bucket] of ofType(stack("Storage"), "AWS::S3::Bucket"))
      expect(bucket.DeletionPolicy, id).toBe("Retain");
  });

  it("the dev profile has no OpenSearch (search on PostgreSQL) and a NAT instance instead of a NAT gateway", () => {
    const data = stack("Data");
    expect(ofType(data, "AWS::OpenSearchService::Domain")).toEqual([]);
    expect(ofType(data, "AWS::EC2::NatGateway")).toEqual([]);
    const [[, nat]] = ofType(data, "AWS::EC2::Instance") as [[string, Resource]];
    expect(nat.Properties!["InstanceType"]).toBe("t4g.nano");
    // It must accept what the private subnets send (and nothing from the internet).
    const ingress = ofType(data, "AWS::EC2::SecurityGroup")
      .flatMap(([, sg]) => (sg.Properties!["SecurityGroupIngress"] ?? []) as any[])
      .concat(ofType(data, "AWS::EC2::SecurityGroupIngress").map(([, r]) => r.Properties));
    const fromVpc = ingress.filter((rule) => rule.IpProtocol === "-1" && rule.CidrIp);
    expect(fromVpc.length).toBeGreaterThan(0);
    for (const rule of fromVpc) expect(JSON.stringify(rule.CidrIp)).not.toContain("0.0.0.0/0");
    for (const s of stacks)
      for (const [id, r] of ofType(s.template.Resources as Resources, "AWS::Lambda::Function"))
        expect(r.Properties?.["Environment"]?.["Variables"] ?? {}, id).not.toHaveProperty(
          "OPENSEARCH_URL",
        );
  });

  it("a custom domain gets TLS 1.2 at CloudFront, a WAF web ACL guards the web app, CORS follows the domain", () => {
    const [[, distribution]] = ofType(stack("Web"), "AWS::CloudFront::Distribution") as [
      [string, Resource],
    ];
    const config = distribution.Properties!["DistributionConfig"];
    expect(config["ViewerCertificate"]).toMatchObject({
      AcmCertificateArn: ENV.JONQUILS_CERTIFICATE_ARN,
      MinimumProtocolVersion: "TLSv1.2_2021",
      SslSupportMethod: "sni-only",
    });
    expect(config["Aliases"]).toEqual([ENV.JONQUILS_DOMAIN]);
    expect(config["WebACLId"]).toBe(ENV.JONQUILS_WEB_ACL_ARN);
    const api = stack("Api");
    const [[, fn]] = ofType(api, "AWS::Lambda::Function").filter(
      ([, r]) => r.Properties?.["Handler"] === "functions/api.handler",
    ) as [[string, Resource]];
    expect(fn.Properties!["Environment"]["Variables"]["CORS_ORIGINS"]).toBe(
      `https://${ENV.JONQUILS_DOMAIN}`,
    );
  });
});
