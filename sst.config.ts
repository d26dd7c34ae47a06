import type { SSTConfig } from "sst";
import { Api } from "./stacks/Api";

/**
 * The SST v2 app. `npx sst deploy --stage <name>` deploys it; `npm run synth` (issue 5)
 * synthesizes the templates offline. Stacks are infrastructure only: the code they deploy
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
      nodejs: { format: "esm" },
    });
    app.stack(Api);
  },
} satisfies SSTConfig;
