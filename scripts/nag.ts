/**
 * `npm run nag`: cdk-nag (AwsSolutions and Serverless packs; cdk-nag 2.37.x, the line that
 * supports SST v2's aws-cdk-lib 2.224) over every stack, offline. Every finding is either
 * fixed or suppressed with a written reason (stacks/nag.ts); this prints what is left and
 * exits 1 if anything is. The stack tests (stacks/stacks.test.ts) run the same check.
 *
 *   npm run nag [-- --stage <name>]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { synthesize } from "../stacks/testing/synthesize";

const { values } = parseArgs({ options: { stage: { type: "string", default: "nag" } } });
process.env["JONQUILS_SKIP_WEB_BUILD"] ??= "1";
const outdir = await mkdtemp(join(tmpdir(), "jq-nag-"));
try {
  const { stacks, nag } = await synthesize({ stage: values.stage, outdir, nag: true });
  const rules = new Map<string, typeof nag>();
  for (const f of nag) rules.set(f.rule, [...(rules.get(f.rule) ?? []), f]);
  for (const [rule, findings] of [...rules].sort()) {
    console.log(`${rule} (${findings.length})  ${findings[0]!.text.split("\n")[0]!.slice(0, 160)}`);
    for (const f of findings)
      console.log(
        `    ${f.level.padEnd(7)} ${f.path} ${/^[\w-]+(\[[^\]]*\])/.exec(f.text)?.[1] ?? ""}`,
      );
  }
  console.log(
    `cdk-nag over ${stacks.length} stacks: ${nag.length === 0 ? "no unsuppressed findings" : `${nag.length} unsuppressed findings`}`,
  );
  if (nag.length > 0) process.exitCode = 1;
} finally {
  await rm(outdir, { recursive: true, force: true });
}
