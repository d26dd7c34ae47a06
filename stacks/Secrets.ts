import { Config, type StackContext } from "sst/constructs";

/**
 * Every secret of the app, declared once. Values live in SSM Parameter Store (SecureString,
 * `npx sst secrets set NAME value --stage <stage>`), never in the repo or a template; a
 * function bound to one may read that parameter and nothing else, and `functions/secrets.ts`
 * copies the values into the environment at cold start.
 */
export function Secrets({ stack }: StackContext) {
  return {
    /** HS256 key of the access tokens (32+ characters). */
    jwtSecret: new Config.Secret(stack, "JWT_SECRET"),
    /** Master password of the PostgreSQL instance (also read by RDS through an ssm-secure reference). */
    dbPassword: new Config.Secret(stack, "DB_PASSWORD"),
    /** The ClickHouse server (e.g. ClickHouse Cloud): HTTPS endpoint and password. */
    clickhouseUrl: new Config.Secret(stack, "CLICKHOUSE_URL"),
    clickhousePassword: new Config.Secret(stack, "CLICKHOUSE_PASSWORD"),
  };
}
