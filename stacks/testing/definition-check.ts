import { substituteDefinition, TASKS } from "@jonquils/pipeline/definition";

interface CfnStateMachine {
  Properties: {
    DefinitionString: string;
    DefinitionSubstitutions: Record<string, unknown>;
  };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** Task state name → the Lambda entry the stack must wire it to (Extract → functions/pipeline/extract.handler). */
export const taskHandler = (state: string) =>
  `functions/pipeline/${state.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()}.handler`;

/**
 * Compares the deployed state machine with the shared ASL text. Returns the problems found
 * (empty when the stack follows the file): the template must carry the file verbatim, every
 * Task state must be one of TASKS with its own placeholder, every placeholder must be
 * substituted with the Arn of the Lambda whose handler matches the state, and the definition
 * after substitution must equal the file after the same substitution.
 */
export function checkDeployedDefinition(resources: Resources, aslText: string): string[] {
  const problems: string[] = [];
  const machines = Object.values(resources).filter(
    (r) => r.Type === "AWS::StepFunctions::StateMachine",
  ) as unknown as CfnStateMachine[];
  if (machines.length !== 1) return [`expected one state machine, found ${machines.length}`];
  const { DefinitionString: deployed, DefinitionSubstitutions: subs } = machines[0]!.Properties;
  if (deployed !== aslText) problems.push("the template's definition is not the shared ASL file");

  const states = (
    JSON.parse(aslText) as { States: Record<string, { Type: string; Resource?: string }> }
  ).States;
  const taskStates = Object.entries(states).filter(([, s]) => s.Type === "Task");
  const expected = new Set(Object.keys(TASKS));
  for (const [name, state] of taskStates) {
    const placeholder = (TASKS as Record<string, string>)[name];
    if (!placeholder) problems.push(`Task state ${name} is not in TASKS (definition.ts)`);
    else if (state.Resource !== `\${${placeholder}}`)
      problems.push(`Task state ${name}: Resource ${state.Resource} is not \${${placeholder}}`);
    expected.delete(name);
  }
  for (const missing of expected) problems.push(`TASKS has ${missing}, the ASL has no such Task`);

  const placeholders = new Set([...aslText.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!));
  for (const p of placeholders)
    if (!(p in subs)) problems.push(`placeholder \${${p}} has no substitution in the stack`);
  for (const p of Object.keys(subs))
    if (!placeholders.has(p)) problems.push(`substitution ${p} matches no placeholder`);

  // Each substitution must be the Arn of the step Lambda for that state.
  const arnOf: Record<string, string> = {};
  for (const [name] of taskStates) {
    const placeholder = (TASKS as Record<string, string>)[name];
    if (!placeholder || !(placeholder in subs)) continue;
    const value = subs[placeholder] as { "Fn::GetAtt"?: [string, string] };
    const [logicalId, attribute] = value["Fn::GetAtt"] ?? [];
    const fn = logicalId ? resources[logicalId] : undefined;
    if (fn?.Type !== "AWS::Lambda::Function" || attribute !== "Arn")
      problems.push(`${placeholder} is not a Lambda function's Arn`);
    else if (fn.Properties?.["Handler"] !== taskHandler(name))
      problems.push(`${name} runs ${String(fn.Properties?.["Handler"])}, not ${taskHandler(name)}`);
    arnOf[placeholder] = `arn:aws:lambda:eu-central-1:123456789012:function:${logicalId}`;
  }
  if (problems.length === 0) {
    const arns = arnOf as Parameters<typeof substituteDefinition>[1];
    if (substituteDefinition(deployed, arns) !== substituteDefinition(aslText, arns))
      problems.push("the substituted definitions differ");
  }
  return problems;
}
