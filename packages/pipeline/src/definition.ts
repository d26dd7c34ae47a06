import { readFileSync } from "node:fs";

/** The ingestion state machine's Task states and the ARN placeholder each one's Resource holds. */
export const TASKS = {
  Extract: "ExtractFunctionArn",
  Transform: "TransformFunctionArn",
  Load: "LoadFunctionArn",
  Index: "IndexFunctionArn",
  Aggregate: "AggregateFunctionArn",
  MarkFailed: "MarkFailedFunctionArn",
} as const;
export type TaskName = keyof typeof TASKS;

export const definitionPath = new URL("./asl/ingest.asl.json", import.meta.url);

/** The ASL text as written (with `${…FunctionArn}` placeholders), the file the CDK stack deploys. */
export function readDefinitionText(): string {
  return readFileSync(definitionPath, "utf8");
}

/** The definition with every placeholder replaced, as Step Functions' DefinitionSubstitutions does. */
export function substituteDefinition(
  text: string,
  arns: Record<(typeof TASKS)[TaskName], string>,
): string {
  return text.replace(/\$\{(\w+)\}/g, (whole, name: string) => {
    const arn = (arns as Record<string, string>)[name];
    if (!arn) throw new Error(`no value for ${whole} in the state machine definition`);
    return arn;
  });
}

/** Placeholder ARNs for the local executor (valid syntax; the handlers are local functions). */
export function localArns(): Record<(typeof TASKS)[TaskName], string> {
  return Object.fromEntries(
    Object.entries(TASKS).map(([state, placeholder]) => [
      placeholder,
      `arn:aws:lambda:local:000000000000:function:jonquils-${state.toLowerCase()}`,
    ]),
  ) as Record<(typeof TASKS)[TaskName], string>;
}
