/**
 * `npm run deploy:check [-- --stage <name>]`: what a first `npx sst deploy` needs, checked
 * against the AWS account the credentials name, printed as a list with what to do for each
 * thing missing. Exits 1 if something would make the deploy fail.
 *
 *   - credentials: the account and caller (STS);
 *   - region: AWS_REGION (sst.config.ts deploys there; default eu-central-1);
 *   - the settings the deploy would use (JONQUILS_PROFILE, JONQUILS_PROTECT, …);
 *   - OpenSearch's service-linked role (standard profile; the Data stack creates it if
 *     absent — this says whether it will);
 *   - the SST secrets of the stage (JWT_SECRET, CLICKHOUSE_URL, CLICKHOUSE_PASSWORD);
 *   - ClickHouse reachable from here (GET /ping; a warning: the deploy does not need it);
 *   - the account's Lambda concurrency quota, enough for the reserved concurrency.
 *
 * The AWS SDK clients are loaded on demand (only when the script runs); the checks take
 * injected clients, so their logic is unit-tested (scripts/deploy-check.test.ts).
 */
import { parseArgs } from "node:util";
import { RESERVED_CONCURRENCY } from "../stacks/lambda";
import { OPENSEARCH_LINKED_ROLE } from "../stacks/Data";
import { readSettings, type DeploySettings } from "../stacks/settings";

export const APP = "jonquils";
export const REQUIRED_SECRETS = ["JWT_SECRET", "CLICKHOUSE_URL", "CLICKHOUSE_PASSWORD"] as const;

/** What the checks ask AWS (and ClickHouse); real clients in `awsClients`, fakes in tests. */
export interface DeployCheckClients {
  callerIdentity(): Promise<{ account: string; arn: string }>;
  /** True when the IAM role exists. */
  roleExists(name: string): Promise<boolean>;
  /** The decrypted value of an SSM parameter, or undefined when there is none. */
  parameter(name: string): Promise<string | undefined>;
  /** Lambda's account quota (ConcurrentExecutions). */
  concurrencyLimit(): Promise<number>;
  /** ClickHouse's /ping answer (throws when unreachable). */
  pingClickHouse(url: string, password: string | undefined): Promise<string>;
}

export interface Check {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  /** What to do about it (warn and fail). */
  fix?: string;
}

/** Functions with reserved concurrency, and how many of each (stacks/*.ts). */
export const RESERVED_TOTAL =
  RESERVED_CONCURRENCY.api +
  6 * RESERVED_CONCURRENCY.pipelineStep +
  2 * RESERVED_CONCURRENCY.scheduled;

export async function runChecks(options: {
  clients: DeployCheckClients;
  stage: string;
  region: string | undefined;
  settings: DeploySettings;
}): Promise<Check[]> {
  const { clients, stage, region, settings } = options;
  const checks: Check[] = [];
  const guard = async (name: string, fn: () => Promise<Check | Check[]>) => {
    try {
      checks.push(...[await fn()].flat());
    } catch (error) {
      checks.push({
        name,
        status: "fail",
        detail: error instanceof Error ? error.message : String(error),
        fix: "check the credentials' permissions for this call, then run deploy:check again",
      });
    }
  };

  let account: string | undefined;
  await guard("credentials", async () => {
    const id = await clients.callerIdentity();
    account = id.account;
    return { name: "credentials", status: "ok", detail: `account ${id.account} as ${id.arn}` };
  });
  if (!account) {
    checks[0] = {
      ...checks[0]!,
      fix: "set AWS credentials (AWS_PROFILE=… or aws sso login / aws configure); nothing else can be checked without them",
    };
    return checks;
  }
  checks.push(
    region
      ? { name: "region", status: "ok", detail: `${region} (stage ${stage})` }
      : {
          name: "region",
          status: "warn",
          detail: "AWS_REGION is not set: sst.config.ts deploys to eu-central-1",
          fix: "export AWS_REGION=<region> to deploy elsewhere (and run deploy:check with it)",
        },
  );
  checks.push({
    name: "settings",
    status: "ok",
    detail:
      `profile ${settings.profile}, protect ${settings.protect}` +
      (settings.domain
        ? `, domain ${settings.domain.name}`
        : ", no custom domain (CloudFront accepts TLS 1.0)") +
      (settings.webAclArn ? ", WAF web ACL set" : ""),
  });

  if (settings.profile === "standard")
    await guard("opensearch-linked-role", async () =>
      (await clients.roleExists(OPENSEARCH_LINKED_ROLE))
        ? {
            name: "opensearch-linked-role",
            status: "ok",
            detail: `${OPENSEARCH_LINKED_ROLE} exists`,
          }
        : {
            name: "opensearch-linked-role",
            status: "warn",
            detail: `${OPENSEARCH_LINKED_ROLE} is missing: the Data stack will create it (the deploying role needs iam:CreateServiceLinkedRole)`,
            fix: "or create it now: aws iam create-service-linked-role --aws-service-name opensearchservice.amazonaws.com",
          },
    );

  const values: Record<string, string | undefined> = {};
  for (const name of REQUIRED_SECRETS)
    await guard(`secret ${name}`, async () => {
      const value =
        (await clients.parameter(`/sst/${APP}/${stage}/Secret/${name}/value`)) ??
        (await clients.parameter(`/sst/${APP}/.fallback/Secret/${name}/value`));
      values[name] = value;
      if (value === undefined)
        return {
          name: `secret ${name}`,
          status: "fail",
          detail: "not set for this stage (nor as a fallback)",
          fix: `npx sst secrets set ${name} <value> --stage ${stage}`,
        };
      if (name === "JWT_SECRET" && value.length < 32)
        return {
          name: `secret ${name}`,
          status: "fail",
          detail: `only ${value.length} characters: the API refuses to start with fewer than 32`,
          fix: `npx sst secrets set JWT_SECRET "$(openssl rand -base64 48)" --stage ${stage}`,
        };
      if (name === "CLICKHOUSE_URL" && !/^https?:\/\//.test(value))
        return {
          name: `secret ${name}`,
          status: "fail",
          detail: "not an http(s) URL",
          fix: `npx sst secrets set CLICKHOUSE_URL https://<host>:8443 --stage ${stage}`,
        };
      return { name: `secret ${name}`, status: "ok", detail: "set" };
    });

  const url = values["CLICKHOUSE_URL"];
  if (url && /^https?:\/\//.test(url))
    await guard("clickhouse", async () => {
      try {
        const answer = await clients.pingClickHouse(url, values["CLICKHOUSE_PASSWORD"]);
        return {
          name: "clickhouse",
          status: "ok",
          detail: `${new URL(url).host} answers ${answer.trim()}`,
        };
      } catch (error) {
        return {
          name: "clickhouse",
          status: "warn",
          detail: `${new URL(url).host} unreachable from here: ${error instanceof Error ? error.message : String(error)}`,
          fix: "the deploy goes on without it (analytics tables are created by a best-effort step); allow the NAT gateway's address (output of the Data stack) in ClickHouse Cloud's IP access list after the first deploy, then deploy again",
        };
      }
    });

  await guard("lambda-concurrency", async () => {
    const limit = await clients.concurrencyLimit();
    const needed = RESERVED_TOTAL + 100;
    return limit >= needed
      ? {
          name: "lambda-concurrency",
          status: "ok",
          detail: `quota ${limit} ≥ ${needed} (reserved ${RESERVED_TOTAL} + 100 unreserved)`,
        }
      : {
          name: "lambda-concurrency",
          status: "fail",
          detail: `quota ${limit}: reserving ${RESERVED_TOTAL} (which bounds PostgreSQL connections) needs at least ${needed}`,
          fix: "request a higher 'Concurrent executions' quota (Service Quotas → AWS Lambda; 1000 is the usual default, free)",
        };
  });
  return checks;
}

/** The real clients: AWS SDK v3, imported only here (at run time, not at import). */
export async function awsClients(region: string | undefined): Promise<DeployCheckClients> {
  const [{ STSClient, GetCallerIdentityCommand }, iamSdk, ssmSdk, lambdaSdk] = await Promise.all([
    import("@aws-sdk/client-sts"),
    import("@aws-sdk/client-iam"),
    import("@aws-sdk/client-ssm"),
    import("@aws-sdk/client-lambda"),
  ]);
  const config = region ? { region } : {};
  const sts = new STSClient(config);
  const iam = new iamSdk.IAMClient(config);
  const ssm = new ssmSdk.SSMClient(config);
  const lambda = new lambdaSdk.LambdaClient(config);
  return {
    async callerIdentity() {
      const id = await sts.send(new GetCallerIdentityCommand({}));
      return { account: id.Account ?? "?", arn: id.Arn ?? "?" };
    },
    async roleExists(name) {
      try {
        await iam.send(new iamSdk.GetRoleCommand({ RoleName: name }));
        return true;
      } catch (error) {
        if ((error as Error).name === "NoSuchEntityException") return false;
        throw error;
      }
    },
    async parameter(name) {
      try {
        const out = await ssm.send(
          new ssmSdk.GetParameterCommand({ Name: name, WithDecryption: true }),
        );
        return out.Parameter?.Value;
      } catch (error) {
        if ((error as Error).name === "ParameterNotFound") return undefined;
        throw error;
      }
    },
    async concurrencyLimit() {
      const out = await lambda.send(new lambdaSdk.GetAccountSettingsCommand({}));
      return out.AccountLimit?.ConcurrentExecutions ?? 0;
    },
    async pingClickHouse(url, password) {
      const target = new URL("/ping", url);
      const headers: Record<string, string> = {};
      if (password)
        headers["Authorization"] = `Basic ${Buffer.from(`default:${password}`).toString("base64")}`;
      const res = await fetch(target, { headers, signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.text();
    },
  };
}

export function formatChecks(checks: Check[]): string {
  const mark = { ok: "✔", warn: "!", fail: "✘" } as const;
  const lines = checks.flatMap((c) => [
    `${mark[c.status]} ${c.name.padEnd(26)} ${c.detail}`,
    ...(c.fix && c.status !== "ok" ? [`  ${" ".repeat(26)} → ${c.fix}`] : []),
  ]);
  const failed = checks.filter((c) => c.status === "fail").length;
  lines.push(
    failed === 0
      ? "\nReady: npx sst deploy --stage <stage> (docs/deploy.md)"
      : `\n${failed} thing(s) to fix before deploying (see → above).`,
  );
  return lines.join("\n");
}

async function main() {
  const { values } = parseArgs({
    options: { stage: { type: "string" } },
  });
  const stage = values.stage ?? process.env["SST_STAGE"];
  if (!stage) {
    console.error("deploy:check: name the stage: npm run deploy:check -- --stage <name>");
    process.exitCode = 2;
    return;
  }
  const region = process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"];
  const checks = await runChecks({
    clients: await awsClients(region ?? "eu-central-1"),
    stage,
    region,
    settings: readSettings(),
  });
  console.log(formatChecks(checks));
  if (checks.some((c) => c.status === "fail")) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
