import { request } from "node:http";

/**
 * Secrets at cold start, before any configuration is parsed — without an AWS SDK client.
 *
 * In AWS every function carries the AWS Parameters and Secrets Lambda Extension (a layer,
 * stacks/lambda.ts): it answers on localhost, caches, and does the signed SSM / Secrets
 * Manager calls itself. This module asks it for:
 *   - the SST secrets bound to the function (`SST_Secret_value_<NAME>` = `__FETCH_FROM_SSM__`,
 *     an SSM SecureString at `<SST_SSM_PREFIX>Secret/<NAME>/value`, or the app's `.fallback`
 *     one) → process.env.<NAME> (JWT_SECRET, CLICKHOUSE_URL, CLICKHOUSE_PASSWORD);
 *   - the database password RDS manages and rotates (DATABASE_SECRET_ARN) → DATABASE_URL,
 *     assembled from DATABASE_HOST/PORT/NAME/USER, TLS with certificate verification; and
 *     `databasePassword()`, which PostgreSQL connections call each time they open, so a
 *     rotated password is used without a new cold start;
 *   - the Valkey password (REDIS_SECRET_ARN) → REDIS_URL from REDIS_HOST/PORT/USER.
 * Outside AWS nothing is bound and this does nothing: variables already set always win.
 */

type Env = Record<string, string | undefined>;
/** GET a path of the extension's HTTP API; undefined when it answers 4xx (no such value). */
export type ExtensionGet = (path: string) => Promise<unknown>;

const FETCH_FROM_SSM = "__FETCH_FROM_SSM__";
const BOUND = /^SST_Secret_value_(.+)$/;

/** The extension on localhost (port and token as AWS documents them). */
export function extensionClient(env: Env = process.env): ExtensionGet {
  const port = Number(env["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"] ?? 2773);
  return (path) =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: "localhost",
          port,
          path,
          headers: { "X-Aws-Parameters-Secrets-Token": env["AWS_SESSION_TOKEN"] ?? "" },
          timeout: 5000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(JSON.parse(body) as unknown);
            else if (status >= 400 && status < 500 && status !== 401 && status !== 403)
              resolve(undefined);
            else
              reject(
                new Error(
                  `Parameters and Secrets extension: ${status} for ${path}: ${body.slice(0, 200)}`,
                ),
              );
          });
        },
      );
      req.on("timeout", () =>
        req.destroy(new Error(`Parameters and Secrets extension: timeout for ${path}`)),
      );
      req.on("error", reject);
      req.end();
    });
}

async function parameter(get: ExtensionGet, name: string): Promise<string | undefined> {
  const body = (await get(
    `/systemsmanager/parameters/get?name=${encodeURIComponent(name)}&withDecryption=true`,
  )) as { Parameter?: { Value?: string } } | undefined;
  return body?.Parameter?.Value;
}

async function secretString(get: ExtensionGet, secretId: string): Promise<string> {
  const body = (await get(`/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`)) as
    { SecretString?: string } | undefined;
  if (body?.SecretString === undefined) throw new Error(`secret ${secretId}: not found`);
  return body.SecretString;
}

/** The password field of an RDS-managed secret (JSON {username, password}) or a plain string. */
const passwordOf = (text: string): string => {
  if (!text.startsWith("{")) return text;
  const value = (JSON.parse(text) as { password?: unknown }).password;
  if (typeof value !== "string") throw new Error("database secret: no password field");
  return value;
};

/**
 * What this function's environment is missing, resolved through the extension. Returns the
 * variables to set (never one already set). Exported for tests (functions/secrets.test.ts).
 */
export async function resolveSecrets(env: Env, get: ExtensionGet): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const jobs: Promise<void>[] = [];
  for (const [key, value] of Object.entries(env)) {
    const name = BOUND.exec(key)?.[1];
    if (!name || value === undefined || env[name]) continue;
    if (value !== FETCH_FROM_SSM) {
      out[name] = value;
      continue;
    }
    jobs.push(
      (async () => {
        const path = `${env["SST_SSM_PREFIX"] ?? ""}Secret/${name}/value`;
        const fallback = `/sst/${env["SST_APP"] ?? ""}/.fallback/Secret/${name}/value`;
        const found = (await parameter(get, path)) ?? (await parameter(get, fallback));
        if (found === undefined)
          throw new Error(
            `${name}: the secret is not set for this stage (npx sst secrets set ${name} … --stage ${env["SST_STAGE"] ?? "<stage>"})`,
          );
        out[name] = found;
      })(),
    );
  }
  const {
    DATABASE_HOST: host,
    DATABASE_PORT: port,
    DATABASE_NAME: db,
    DATABASE_USER: user,
    DATABASE_SECRET_ARN: dbSecret,
  } = env;
  if (!env["DATABASE_URL"] && host && user && db && dbSecret) {
    jobs.push(
      (async () => {
        const password = passwordOf(await secretString(get, dbSecret));
        // RDS enforces TLS (rds.force_ssl); verify-full checks the certificate against the RDS
        // CA (NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem, set by the stacks).
        out["DATABASE_URL"] =
          `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port ?? "5432"}/${encodeURIComponent(db)}?sslmode=verify-full`;
      })(),
    );
  }
  const { REDIS_HOST: redisHost, REDIS_PORT: redisPort, REDIS_USER: redisUser } = env;
  if (!env["REDIS_URL"] && redisHost && env["REDIS_SECRET_ARN"]) {
    const secretId = env["REDIS_SECRET_ARN"];
    jobs.push(
      (async () => {
        const password = await secretString(get, secretId);
        const auth = `${encodeURIComponent(redisUser ?? "default")}:${encodeURIComponent(password)}`;
        out["REDIS_URL"] = `rediss://${auth}@${redisHost}:${redisPort ?? "6379"}`;
      })(),
    );
  }
  await Promise.all(jobs);
  return out;
}

/**
 * The current database password, read through the extension (cached there for a minute) when
 * the RDS-managed secret is bound; undefined otherwise (the password in DATABASE_URL is used).
 * PostgreSQL connections call it each time one opens (postgres.js `password`).
 */
export function databasePasswordSource(
  env: Env = process.env,
  get: ExtensionGet = extensionClient(env),
): (() => Promise<string>) | undefined {
  const secretId = env["DATABASE_SECRET_ARN"];
  if (!secretId || !env["AWS_LAMBDA_FUNCTION_NAME"]) return undefined;
  return async () => passwordOf(await secretString(get, secretId));
}

const needsExtension = (env: Env) =>
  Object.keys(env).some((k) => BOUND.test(k)) ||
  Boolean(env["DATABASE_SECRET_ARN"] && !env["DATABASE_URL"]) ||
  Boolean(env["REDIS_SECRET_ARN"] && !env["REDIS_URL"]);

if (needsExtension(process.env)) {
  Object.assign(process.env, await resolveSecrets(process.env, extensionClient()));
}
