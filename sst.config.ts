import * as lambda from "aws-cdk-lib/aws-lambda";
import type { SSTConfig } from "sst";
import { Alerts } from "./stacks/Alerts";
import { Api } from "./stacks/Api";
import { Data } from "./stacks/Data";
import { NODEJS_BUNDLING, OBSERVABILITY_ENV, PARAMS_AND_SECRETS } from "./stacks/lambda";
import { Monitoring } from "./stacks/Monitoring";
import { suppressNagFindings } from "./stacks/nag";
import { Pipeline } from "./stacks/Pipeline";
import { Secrets } from "./stacks/Secrets";
import { Storage } from "./stacks/Storage";
import { Web } from "./stacks/Web";
import { WebContent } from "./stacks/WebContent";

/**
 * The SST v2 app. `npx sst deploy --stage <name>` deploys it; `npm run synth` synthesizes the
 * templates offline (scripts/synth.ts). Stacks are infrastructure only: the code they deploy
 * lives in functions/ and packages/.
 */
export default {
  config() {
    return { name: "jonquils", region: process.env["AWS_REGION"] ?? "eu-central-1" };
  },
  stacks(app) {
    app.setDefaultFunctionProps({
      runtime: "nodejs22.x",
      architecture: "arm_64",
      // Powertools writes the logs and EMF metrics; X-Ray tracing is not used.
      tracing: "disabled",
      logRetention: "one_month",
      loggingFormat: lambda.LoggingFormat.JSON,
      nodejs: NODEJS_BUNDLING,
      environment: { ...OBSERVABILITY_ENV },
      // Secrets over HTTP on localhost (functions/secrets.ts): no SDK client at cold start.
      paramsAndSecrets: PARAMS_AND_SECRETS,
    });
    app
      .stack(Secrets)
      .stack(Web)
      .stack(Storage)
      .stack(Data)
      .stack(Alerts)
      .stack(Pipeline)
      .stack(Api)
      .stack(Monitoring)
      .stack(WebContent);
    // cdk-nag findings not fixed in the stacks, each with its reason (`npm run nag`).
    suppressNagFindings(app);
  },
} satisfies SSTConfig;
