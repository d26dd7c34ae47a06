import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import { Config, type StackContext } from "sst/constructs";
import { readSettings } from "./settings";

/**
 * Every secret of the app, declared once. Values live in SSM Parameter Store (SecureString,
 * `npx sst secrets set NAME value --stage <stage>`), never in the repo or a template; a
 * function bound to one may read that parameter and nothing else, and `functions/secrets.ts`
 * copies the values into the environment at cold start (through the Parameters and Secrets
 * extension). The database and Valkey passwords are not here: RDS manages the first in
 * Secrets Manager (and rotates it), the Data stack generates the second.
 */
export function Secrets({ stack }: StackContext) {
  const protect = readSettings().protect;
  /**
   * The envelope key of the Subsonic app passwords (packages/core/src/app-password/envelope.ts):
   * each password is sealed under its own data key from GenerateDataKey, stored wrapped, and
   * unwrapped by Decrypt at sign-in. Rotated yearly by KMS (old versions still decrypt).
   */
  const appPasswordKey = new kms.Key(stack, "app-password-key", {
    description: "JONQUILS: envelope key of the Subsonic app passwords",
    enableKeyRotation: true,
    // Without it every stored app password is unreadable: a protected stage keeps it.
    removalPolicy: protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  return {
    appPasswordKey,
    /** What a function that seals or opens app passwords needs: the key's ARN and only these rights on it. */
    appPasswordKeyAccess: {
      environment: { APP_PASSWORD_KMS_KEY_ID: appPasswordKey.keyArn },
      permissions: [
        new iam.PolicyStatement({
          actions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
          resources: [appPasswordKey.keyArn],
        }),
      ],
    },
    /** HS256 key of the access tokens (32+ characters). */
    jwtSecret: new Config.Secret(stack, "JWT_SECRET"),
    /** The ClickHouse server (e.g. ClickHouse Cloud): HTTPS endpoint and password. */
    clickhouseUrl: new Config.Secret(stack, "CLICKHOUSE_URL"),
    clickhousePassword: new Config.Secret(stack, "CLICKHOUSE_PASSWORD"),
  };
}
