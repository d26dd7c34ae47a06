import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface SynthesizedStack {
  readonly stackName: string;
  readonly templateFile: string;
  readonly template: Record<string, unknown> & { Resources?: Record<string, unknown> };
  readonly resources: number;
}

/** A cdk-nag finding nobody fixed or suppressed (with a reason). */
export interface NagFinding {
  readonly stack: string;
  readonly path: string;
  readonly rule: string;
  readonly level: string;
  readonly text: string;
}

/** The account every offline synthesis uses: templates never hold a real one. */
export const SYNTH_ACCOUNT = "123456789012";

/**
 * Synthesizes every stack of sst.config.ts without AWS: the stage is given (initProject
 * would otherwise ask on stdin), NODE_ENV is "test" (App.finish would otherwise look up the
 * CDK bootstrap bucket), the account is a placeholder. Functions are bundled by esbuild as in
 * a deploy. Returns the templates written to `outdir`.
 */
export async function synthesize(options: {
  stage: string;
  outdir: string;
  region?: string;
  /** Run cdk-nag's AwsSolutions and Serverless packs over the app (findings in `nag`). */
  nag?: boolean;
}): Promise<{ stacks: SynthesizedStack[]; nag: NagFinding[] }> {
  process.env["NODE_ENV"] = "test";
  const { initProject } = await import("sst/project.js");
  const { App } = await import("sst/constructs");
  const { default: config } = await import("../../sst.config");
  await initProject({ stage: options.stage });
  const region = options.region ?? "eu-central-1";
  const app = new App(
    { mode: "deploy", stage: options.stage, name: "jonquils", region, account: SYNTH_ACCOUNT },
    { outdir: options.outdir },
  );
  config.stacks(app);
  if (options.nag) {
    const { Aspects } = await import("aws-cdk-lib");
    const { AwsSolutionsChecks, ServerlessChecks } = await import("cdk-nag");
    Aspects.of(app).add(new AwsSolutionsChecks({ reports: false }));
    Aspects.of(app).add(new ServerlessChecks({ reports: false }));
  }
  await app.finish();
  const assembly = app.synth();
  const nag: NagFinding[] = [];
  if (options.nag)
    for (const stack of assembly.stacks)
      for (const message of stack.messages) {
        const data: unknown = message.entry.data;
        const text = typeof data === "string" ? data : JSON.stringify(data);
        const rule = /^\[?([\w-]+-[\w]+)/.exec(text.replace(/^\S*?:?\s*/, ""))?.[1];
        const level = String(message.level);
        if (level === "info" || !/^(AwsSolutions|Serverless)-/.test(rule ?? "")) continue;
        nag.push({
          stack: stack.stackName,
          path: message.id,
          rule: rule!,
          level,
          text,
        });
      }
  return {
    nag,
    stacks: assembly.stacks.map((stack) => {
      const templateFile = join(options.outdir, stack.templateFile);
      const template = JSON.parse(
        readFileSync(templateFile, "utf8"),
      ) as SynthesizedStack["template"];
      return {
        stackName: stack.stackName,
        templateFile,
        template,
        resources: Object.keys(template.Resources ?? {}).length,
      };
    }),
  };
}
