import { Config, type StackContext } from "sst/constructs";

/**
 * Every secret of the app, declared once. Values live in SSM Parameter Store (SecureString,
 * `npx sst secrets set NAME value --stage <stage>`), never in the repo or a template; a
 * function bound to one may read that parameter and nothing else, and `functions/secrets.ts`
 * copies the values into the environment at cold start (through the Parameters and Secrets
 * extension). The database and Valkey passwords are not here: RDS manages the first in
 * Secrets Manager (and rotates it), the Data stack generates the second.
 */
export function Secrets({ stack }: StackContext) {
  return {
    /** HS256 key of the access tokens (32+ characters). */
    jwtSecret: new Config.Secret(stack, "JWT_SECRET"),
    /** The ClickHouse server (e.g. ClickHouse Cloud): HTTPS endpoint and password. */
    clickhouseUrl: new Config.Secret(stack, "CLICKHOUSE_URL"),
    clickhousePassword: new Config.Secret(stack, "CLICKHOUSE_PASSWORD"),
  };
}
