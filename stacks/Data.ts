import { Duration, RemovalPolicy, SecretValue } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as elasticache from "aws-cdk-lib/aws-elasticache";
import * as iam from "aws-cdk-lib/aws-iam";
import * as opensearch from "aws-cdk-lib/aws-opensearchservice";
import * as rds from "aws-cdk-lib/aws-rds";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as cr from "aws-cdk-lib/custom-resources";
import { Script, use, type FunctionProps, type StackContext } from "sst/constructs";
import { secretAccess } from "./lambda";
import { Secrets } from "./Secrets";
import { readSettings } from "./settings";

/** The drizzle-kit migrations, copied beside the migrate function's bundle. */
export const MIGRATIONS_DIR = "packages/core/migrations";
export const MIGRATE_HANDLER = "functions/migrate.handler";
/** The ClickHouse tables and views: their own deploy-time Script, which never fails a deploy. */
export const MIGRATE_ANALYTICS_HANDLER = "functions/migrate-analytics.handler";

const DB_NAME = "jonquils";
const DB_USER = "jonquils";
const VALKEY_USER = "jonquils";
/** Lambda's bundle of Amazon CA certificates (with the RDS CAs), not loaded by default on Node 20+. */
export const LAMBDA_CA_BUNDLE = "/var/runtime/ca-cert.pem";
/** HTTP verbs of OpenSearch's REST API, as IAM names them (`es:ESHttp<Verb>`). */
export type SearchHttpVerb = "Get" | "Head" | "Post" | "Put" | "Delete";

/** The service-linked role a VPC OpenSearch domain needs; CloudFormation does not create it. */
export const OPENSEARCH_LINKED_ROLE = "AWSServiceRoleForAmazonOpenSearchService";

/**
 * The data services, private in one VPC: PostgreSQL (RDS), Valkey (ElastiCache Serverless,
 * TLS, password auth) and — in the standard profile — an OpenSearch domain (IAM-signed
 * requests only). ClickHouse is a managed service outside AWS (ClickHouse Cloud); its
 * endpoint and password are SST secrets.
 *
 * Egress: one NAT gateway (standard) or a t4g.nano NAT instance (dev profile). The functions
 * in the VPC reach ClickHouse (internet), SSM and Secrets Manager (through the Parameters and
 * Secrets extension), SQS and SNS; interface endpoints for those services in two AZs cost more
 * than one NAT gateway, and ClickHouse would still need one. S3 — the bulk bytes of the
 * pipeline — goes through a free gateway endpoint, so audio never pays NAT data charges.
 *
 * Stage settings (stacks/settings.ts), never the stage name, decide protection and sizes.
 */
export function Data({ stack, app }: StackContext) {
  const secrets = use(Secrets);
  const settings = readSettings();
  const protect = settings.protect;
  const dev = settings.profile === "dev";

  // ~$3/month instead of a NAT gateway's ~$33 + data: fine for a development stage.
  const natInstance = dev
    ? ec2.NatProvider.instanceV2({
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
        machineImage: ec2.MachineImage.latestAmazonLinux2023({
          cpuType: ec2.AmazonLinuxCpuType.ARM_64,
        }),
        defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
      })
    : undefined;
  const vpc = new ec2.Vpc(stack, "vpc", {
    // Fixed AZ names keep synthesis offline (no availability-zone lookup).
    availabilityZones: [`${stack.region}a`, `${stack.region}b`],
    natGateways: 1,
    ...(natInstance ? { natGatewayProvider: natInstance } : {}),
    subnetConfiguration: [
      { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: "functions", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      { name: "data", subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
    gatewayEndpoints: { s3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
  });
  // The NAT instance forwards what the private subnets send, and takes nothing from outside.
  natInstance?.connections.allowFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.allTraffic());
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

  // PostgreSQL: the catalog. RDS manages the master password in Secrets Manager and rotates
  // it; the functions read it through the Parameters and Secrets extension at each new
  // connection (functions/secrets.ts), so a rotated or changed password is picked up.
  const dbSg = allowFromFunctions("postgres", 5432);
  const db = new rds.DatabaseInstance(stack, "postgres", {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
    vpc,
    vpcSubnets: dataSubnets,
    securityGroups: [dbSg],
    databaseName: DB_NAME,
    // Replaced below by RDS's own managed secret (no password in the template or in SSM).
    credentials: rds.Credentials.fromPassword(DB_USER, SecretValue.unsafePlainText("unused")),
    storageEncrypted: true,
    allocatedStorage: 20,
    maxAllocatedStorage: dev ? 20 : 100,
    multiAz: protect,
    backupRetention: Duration.days(protect ? 14 : 1),
    deletionProtection: protect,
    removalPolicy: protect ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    publiclyAccessible: false,
    // Clients verify the server certificate (sslmode=verify-full, Lambda's CA bundle).
    caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    parameters: { "rds.force_ssl": "1" },
  });
  const cfnDb = db.node.defaultChild as rds.CfnDBInstance;
  cfnDb.masterUserPassword = undefined;
  cfnDb.manageMasterUserPassword = true;
  const dbSecretArn = cfnDb.attrMasterUserSecretSecretArn;

  // Valkey (Redis-compatible): cache and rate limits. Serverless: TLS only, no nodes to size,
  // always cluster mode. A password user (the default user disabled), not the SG alone.
  const cacheSg = allowFromFunctions("valkey", 6379);
  const ids = `${app.stage}-${app.name}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  const valkeySecret = new secretsmanager.Secret(stack, "valkey-password", {
    description: `JONQUILS ${app.stage}: Valkey password of user ${VALKEY_USER}`,
    generateSecretString: { passwordLength: 40, excludePunctuation: true },
  });
  const valkeyUser = new elasticache.CfnUser(stack, "valkey-user", {
    engine: "valkey",
    userId: `${ids}-app`.slice(0, 40).replace(/-+$/, ""),
    userName: VALKEY_USER,
    accessString: "on ~* +@all",
    authenticationMode: {
      Type: "password",
      Passwords: [valkeySecret.secretValue.unsafeUnwrap()],
    },
  });
  const valkeyDefault = new elasticache.CfnUser(stack, "valkey-default-user", {
    engine: "valkey",
    userId: `${ids}-off`.slice(0, 40).replace(/-+$/, ""),
    userName: "default",
    accessString: "off -@all",
    noPasswordRequired: true,
  });
  const valkeyUsers = new elasticache.CfnUserGroup(stack, "valkey-users", {
    engine: "valkey",
    userGroupId: `${ids}-users`.slice(0, 40).replace(/-+$/, ""),
    userIds: [valkeyUser.userId, valkeyDefault.userId],
  });
  valkeyUsers.addDependency(valkeyUser);
  valkeyUsers.addDependency(valkeyDefault);
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
    userGroupId: valkeyUsers.userGroupId,
    ...(dev
      ? {
          cacheUsageLimits: {
            dataStorage: { maximum: 1, unit: "GB" },
            ecpuPerSecond: { maximum: 5000 },
          },
        }
      : {}),
  });
  cache.addDependency(valkeyUsers);

  // OpenSearch (standard profile): the search index. In the dev profile there is none and
  // search runs on PostgreSQL (the embedded index on the catalog database).
  let search: opensearch.Domain | undefined;
  if (!dev) {
    // The linked role a VPC domain needs, created if the account has none ("already exists"
    // is fine; it is never deleted: other domains of the account may use it).
    const linkedRole = new cr.AwsCustomResource(stack, "opensearch-linked-role", {
      installLatestAwsSdk: false,
      onCreate: {
        service: "IAM",
        action: "CreateServiceLinkedRole",
        parameters: { AWSServiceName: "opensearchservice.amazonaws.com" },
        physicalResourceId: cr.PhysicalResourceId.of(OPENSEARCH_LINKED_ROLE),
        ignoreErrorCodesMatching: "InvalidInput",
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ["iam:CreateServiceLinkedRole"],
          resources: [
            `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/opensearchservice.amazonaws.com/${OPENSEARCH_LINKED_ROLE}`,
          ],
          conditions: { StringLike: { "iam:AWSServiceName": "opensearchservice.amazonaws.com" } },
        }),
      ]),
    });
    const searchSg = allowFromFunctions("opensearch", 443);
    // A fixed name, so the access policy is a property of the domain itself (no custom
    // resource applying it afterwards, hence no IAM propagation race).
    const domainName = `jq-${ids}`.slice(0, 28).replace(/-+$/, "");
    search = new opensearch.Domain(stack, "opensearch", {
      domainName,
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
      // Always removed with the stage: the index is rebuilt from PostgreSQL
      // (`npm run search:reindex`), and a retained domain would keep the VPC from being deleted.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    search.node.addDependency(linkedRole);
    // Only IAM principals of this account whose own policies grant es:ESHttp* (signed requests).
    (search.node.defaultChild as opensearch.CfnDomain).accessPolicies = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:${stack.partition}:iam::${stack.account}:root` },
          Action: [
            "es:ESHttpGet",
            "es:ESHttpHead",
            "es:ESHttpPost",
            "es:ESHttpPut",
            "es:ESHttpDelete",
          ],
          Resource: `arn:${stack.partition}:es:${stack.region}:${stack.account}:domain/${domainName}/*`,
        },
      ],
    };
  }

  /**
   * What a function that talks to the data services needs in its environment. Secrets are
   * ARNs here; functions/secrets.ts reads their values through the extension.
   */
  const dbEnv = {
    DATABASE_HOST: db.dbInstanceEndpointAddress,
    DATABASE_PORT: db.dbInstanceEndpointPort,
    DATABASE_NAME: DB_NAME,
    DATABASE_USER: DB_USER,
    DATABASE_SECRET_ARN: dbSecretArn,
    NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE,
  };
  const serviceEnv: Record<string, string> = {
    ...dbEnv,
    REDIS_HOST: cache.attrEndpointAddress,
    REDIS_PORT: cache.attrEndpointPort,
    REDIS_USER: VALKEY_USER,
    REDIS_SECRET_ARN: valkeySecret.secretArn,
    ...(search
      ? { OPENSEARCH_URL: `https://${search.domainEndpoint}`, OPENSEARCH_AUTH: "aws-sigv4" }
      : {}),
  };
  /**
   * The OpenSearch REST verbs a function may send (signed) to the domain, and nothing more: the
   * functions that search or index name theirs. None in the dev profile (no domain).
   */
  const searchAccess = (...verbs: SearchHttpVerb[]): iam.PolicyStatement[] =>
    search
      ? [
          new iam.PolicyStatement({
            actions: verbs.map((verb) => `es:ESHttp${verb}`),
            resources: [`${search.domainArn}/*`],
          }),
        ]
      : [];
  /** Reading the two data secrets (through the extension: GetSecretValue). */
  const dataSecretsAccess = [
    new iam.PolicyStatement({
      actions: ["secretsmanager:GetSecretValue"],
      resources: [dbSecretArn, valkeySecret.secretArn],
    }),
  ];

  /** Props for a function that talks to the data services: in the VPC, behind functionsSg. */
  const inVpc: Pick<FunctionProps, "vpc" | "vpcSubnets" | "securityGroups"> = {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [functionsSg],
  };

  // Catalog migrations on every deploy (drizzle skips applied ones), before the stacks whose
  // functions use the database are updated: the same SQL files `npm run db:migrate` applies.
  // PostgreSQL only: nothing outside AWS can fail (and roll back) a deploy.
  new Script(stack, "migrations", {
    defaults: {
      function: {
        ...inVpc,
        timeout: 300,
        environment: dbEnv,
        permissions: [
          new iam.PolicyStatement({
            actions: ["secretsmanager:GetSecretValue"],
            resources: [dbSecretArn],
          }),
        ],
        copyFiles: [{ from: MIGRATIONS_DIR, to: "migrations" }],
      },
    },
    onCreate: MIGRATE_HANDLER,
    onUpdate: MIGRATE_HANDLER,
  });
  // The ClickHouse tables and views: outside the VPC, best effort — it reports and never throws
  // (a ClickHouse Cloud allow-list or outage must not roll a deploy back): the next deploy
  // tries again. See docs/deploy.md.
  new Script(stack, "analytics-migrations", {
    defaults: {
      function: {
        timeout: 60,
        ...secretAccess([secrets.clickhouseUrl, secrets.clickhousePassword]),
      },
    },
    onCreate: MIGRATE_ANALYTICS_HANDLER,
    onUpdate: MIGRATE_ANALYTICS_HANDLER,
  });

  return {
    vpc,
    inVpc,
    db,
    dbEnv,
    dbSecretArn,
    serviceEnv,
    dataSecretsAccess,
    cache,
    valkeySecret,
    search,
    searchAccess,
    settings,
    clickhouse: { url: secrets.clickhouseUrl, password: secrets.clickhousePassword },
  };
}
