import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { localArns, readDefinitionText, substituteDefinition, TASKS } from "./definition";

const require = createRequire(import.meta.url);
// asl-validator ships CommonJS without types.
const aslValidator = require("asl-validator") as (definition: unknown) => {
  isValid: boolean;
  errorsText: (sep?: string) => string;
};

describe("the ingestion state machine (one ASL file)", () => {
  const text = readDefinitionText();

  it("is valid Amazon States Language once ARNs are substituted", () => {
    const result = aslValidator(JSON.parse(substituteDefinition(text, localArns())));
    expect(result.isValid, result.errorsText("\n")).toBe(true);
    // The validator does catch a broken machine (a state pointing nowhere).
    const broken = JSON.parse(substituteDefinition(text, localArns())) as {
      States: Record<string, Record<string, unknown>>;
    };
    broken.States["Load"]!["Next"] = "Nowhere";
    expect(aslValidator(broken).isValid).toBe(false);
  });

  it("has a placeholder for every step and nothing else to substitute", () => {
    const placeholders = [...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    expect(new Set(placeholders)).toEqual(new Set(Object.values(TASKS)));
    expect(() => substituteDefinition(text, { ...localArns(), LoadFunctionArn: "" })).toThrow(
      /LoadFunctionArn/,
    );
  });

  it("runs extract → transform → load → index → aggregate, with every task caught into MarkFailed", () => {
    const def = JSON.parse(substituteDefinition(text, localArns())) as {
      StartAt: string;
      States: Record<
        string,
        {
          Type: string;
          Next?: string;
          Default?: string;
          Catch?: { Next: string }[];
          Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
        }
      >;
    };
    const order: string[] = [];
    let name: string | undefined = def.StartAt;
    while (name) {
      const state: (typeof def.States)[string] | undefined = def.States[name];
      if (!state) break;
      if (state.Type === "Task") order.push(name);
      name = state.Next ?? state.Default;
    }
    expect(order).toEqual(["Extract", "Transform", "Load", "Index", "Aggregate"]);
    for (const step of order) {
      expect(def.States[step]!.Catch?.[0]?.Next).toBe("MarkFailed");
      expect(
        def.States[step]!.Retry?.some(
          (r) => r.ErrorEquals.includes("States.ALL") && (r.MaxAttempts ?? 3) > 0,
        ),
      ).toBe(true);
    }
    // Files that are not audio are never retried.
    expect(def.States["Transform"]!.Retry?.[0]).toMatchObject({
      ErrorEquals: ["UnreadableAudioError", "NotProcessableError"],
      MaxAttempts: 0,
    });
  });
});
