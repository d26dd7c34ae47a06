import { Duration, RemovalPolicy, SecretValue } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as elasticache from "aws-cdk-lib/aws-elasticache";
import * as iam from "aws-cdk-lib/aws-iam";
import * as opensearch from "aws-cdk-lib/aws-opensearchservice";
import * as rds from "aws-cdk-lib/aws-rds";
import { Script, use, type FunctionProps, type StackContext } from "sst/constructs";
import { Secrets } from "./Secrets";

/** The drizzle-kit migrations, copied beside the migrate function's bundle. */
export const MIGRATIONS_DIR = "packages/core/migrations";
export const MIGRATE_HANDLER = "functions/migrate.handler";

const DB_NAME = "jonquils";
const DB_USER = "jonquils";

/**
 * The data services, private in one VPC: PostgreSQL (RDS), Valkey (ElastiCache Serverless,
 * TLS) and an OpenSearch domain. ClickHouse is a managed service outside AWS (ClickHouse
 * Cloud); its endpoint and password are SST secrets.
 *
 * Egress: one NAT gateway. The functions in the VPC reach ClickHouse (internet), SSM (secrets
 * at cold start), SQS and SNS; interface endpoints for those four services in two AZs cost more
 * than one NAT gateway, and ClickHouse would still need one. S3 — the bulk bytes of the
 * pipeline — goes through a free gateway endpoint, so audio never pays NAT data charges.
 */
export function Data({ stack, app }: StackContext) {
  const secrets = use(Secrets);
  const production = app.stage === "production";

  const vpc = new ec2.Vpc(stack, "vpc", {
    // Fixed AZ names keep synthesis offline (no availability-zone lookup).
    availabilityZones: [`${stack.region}a`, `${stack.region}b`],
    natGateways: 1,
    subnetConfiguration: [
      { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: "functions", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      { name: "data", subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
    gatewayEndpoints: { s3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
  });
  const dataSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

  /** The functions' security group: the only one the data services let in. */
  const functionsSg = new ec2.SecurityGroup(stack, "functions-sg", {
    vpc,
    description: "JONQUILS Lambda functions in the VPC",
    allowAllOutbound: true,
  });
  const allowFromFunctions = (name: string, port: number) => {
    const sg = new ec2.SecurityGroup(stack, `${name}-sg`, {
      vpc,
      description: `JONQUILS ${name}: functions only`,
      allowAllOutbound: false,
    });
    sg.addIngressRule(functionsSg, ec2.Port.tcp(port), `functions to ${name}`);
    return sg;
  };

  // PostgreSQL: the catalog. The master password is the DB_PASSWORD secret (an ssm-secure
  // dynamic reference: CloudFormation reads it, the template never holds it).
  const dbSg = allowFromFunctions("postgres", 5432);
  const db = new rds.DatabaseInstance(stack, "postgres", {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
    vpc,
    vpcSubnets: dataSubnets,
    securityGroups: [dbSg],
    databaseName: DB_NAME,
    credentials: rds.Credentials.fromPassword(
      DB_USER,
      SecretValue.ssmSecure(`/sst/${app.name}/${app.stage}/Secret/DB_PASSWORD/value`),
    ),
    storageEncrypted: true,
    allocatedStorage: 20,
    maxAllocatedStorage: 100,
    multiAz: production,
    backupRetention: Duration.days(production ? 14 : 1),
    deletionProtection: production,
    removalPolicy: production ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    publiclyAccessible: false,
    parameters: { "rds.force_ssl": "1" },
  });

  // Valkey (Redis-compatible): cache and rate limits. Serverless: TLS only, no nodes to size.
  const cacheSg = allowFromFunctions("valkey", 6379);
  const cache = new elasticache.CfnServerlessCache(stack, "valkey", {
    engine: "valkey",
    // Lower-case letters, digits and hyphens, at most 40, no trailing hyphen.
    serverlessCacheName: `${app.stage}-${app.name}-cache`
      .toLowerCase()
      .slice(0, 40)
      .replace(/-+$/, ""),
    majorEngineVersion: "8",
    securityGroupIds: [cacheSg.securityGroupId],
    subnetIds: vpc.selectSubnets(dataSubnets).subnetIds,
  });

  // OpenSearch: the search index. Reachable only from the functions' security group.
  const searchSg = allowFromFunctions("opensearch", 443);
  const search = new opensearch.Domain(stack, "opensearch", {
    version: opensearch.EngineVersion.OPENSEARCH_2_19,
    capacity: {
      dataNodes: 1,
      dataNodeInstanceType: "t3.small.search",
      multiAzWithStandbyEnabled: false,
    },
    ebs: { volumeSize: 10, volumeType: ec2.EbsDeviceVolumeType.GP3 },
    vpc,
    vpcSubnets: [{ subnets: [vpc.selectSubnets(dataSubnets).subnets[0]!] }],
    securityGroups: [searchSg],
    encryptionAtRest: { enabled: true },
    nodeToNodeEncryption: true,
    enforceHttps: true,
    tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2,
    removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  // Inside the VPC the security group is the gate; the domain policy names the HTTP verbs only.
  search.addAccessPolicies(
    new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: [
        "es:ESHttpGet",
        "es:ESHttpHead",
        "es:ESHttpPost",
        "es:ESHttpPut",
        "es:ESHttpDelete",
      ],
      resources: [`${search.domainArn}/*`],
    }),
  );

  const dbEnv = {
    DATABASE_HOST: db.dbInstanceEndpointAddress,
    DATABASE_PORT: db.dbInstanceEndpointPort,
    DATABASE_NAME: DB_NAME,
    DATABASE_USER: DB_USER,
  };
  const redisUrl = `rediss://${cache.attrEndpointAddress}:${cache.attrEndpointPort}`;
  const opensearchUrl = `https://${search.domainEndpoint}`;

  /** Props for a function that talks to the data services: in the VPC, behind functionsSg. */
  const inVpc: Pick<FunctionProps, "vpc" | "vpcSubnets" | "securityGroups"> = {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [functionsSg],
  };

  // Schema migrations on every deploy (drizzle skips applied ones), before the stacks whose
  // functions use the database are updated: the same SQL files `npm run db:migrate` applies.
  new Script(stack, "migrations", {
    defaults: {
      function: {
        ...inVpc,
        timeout: 300,
        environment: dbEnv,
        bind: [secrets.dbPassword, secrets.clickhouseUrl, secrets.clickhousePassword],
        copyFiles: [{ from: MIGRATIONS_DIR, to: "migrations" }],
      },
    },
    onCreate: MIGRATE_HANDLER,
    onUpdate: MIGRATE_HANDLER,
  });

  return {
    vpc,
    inVpc,
    db,
    dbEnv,
    cache,
    redisUrl,
    search,
    opensearchUrl,
    clickhouse: { url: secrets.clickhouseUrl, password: secrets.clickhousePassword },
  };
}
