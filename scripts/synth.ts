/**
 * `npm run synth`: the CloudFormation templates of every stack, offline — no AWS credentials,
 * no network — as SST's own tests synthesize (initProject with a stage, App in deploy mode,
 * NODE_ENV=test so no bootstrap lookup). `npx sst build` would need STS and, without
 * credentials, exits 0 having written nothing.
 *
 *   npm run synth [-- --stage <name>] [-- --out <dir>]   (default: stage "synth", cdk.out/)
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { synthesize } from "../stacks/testing/synthesize";

const { values } = parseArgs({
  options: {
    stage: { type: "string", default: "synth" },
    out: { type: "string", default: "cdk.out" },
  },
});
const started = performance.now();
const result = await synthesize({ stage: values.stage, outdir: resolve(values.out) });
for (const stack of result.stacks) {
  if (!existsSync(stack.templateFile)) throw new Error(`missing template ${stack.templateFile}`);
  console.log(
    `${stack.stackName.padEnd(32)} ${String(stack.resources).padStart(4)} resources  ${stack.templateFile}`,
  );
}
console.log(
  `synthesized ${result.stacks.length} stacks in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
