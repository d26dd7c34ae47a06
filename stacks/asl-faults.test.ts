/* eslint-disable @typescript-eslint/no-explicit-any -- the execution output is untyped JSON */
import "@jonquils/pipeline/polyfill";
import { localArns, readDefinitionText, substituteDefinition } from "@jonquils/pipeline/definition";
import { StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";

/**
 * What the deployed state machine reports for a run: alarms on ExecutionsFailed must fire on
 * faults only. The shared ASL runs here with stand-in steps (the same engine the laptop uses).
 */
class UnreadableAudioError extends Error {
  override name = "UnreadableAudioError";
}

async function run(transform: () => Promise<unknown>) {
  const marked: unknown[] = [];
  const handlers = {
    Extract: async () => ({ claimed: true, jobId: "j", uploadId: "u" }),
    Transform: transform,
    Load: async () => ({ trackId: "t" }),
    Index: async () => null,
    Aggregate: async () => ({ done: true }),
    MarkFailed: async (input: unknown) => {
      marked.push(input);
      return null;
    },
  };
  const arns = localArns();
  const definition = JSON.parse(substituteDefinition(readDefinitionText(), arns)) as never;
  const machine = new StateMachine(definition);
  const execution = machine.run(
    { detail: { bucket: { name: "tracks" }, object: { key: "u/a/b/c.mp3", size: 1, etag: "e" } } },
    {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(
          Object.entries(handlers).map(([state, fn]) => [state, fn]),
        ) as never,
        retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((k) => [k, 0])),
      },
      context: { Execution: { Name: "test", Id: "x", Input: {}, StartTime: "" } },
    },
  );
  try {
    return { status: "SUCCEEDED" as const, output: (await execution.result) as any, marked };
  } catch (error) {
    return { status: "FAILED" as const, error: (error as Error).message, marked };
  }
}

describe("the ingestion machine's outcome (what CloudWatch counts)", () => {
  it("a file that is not readable audio is rejected: marked failed, the execution succeeds", async () => {
    const result = await run(async () => {
      throw new UnreadableAudioError("not an audio file");
    });
    expect(result.status).toBe("SUCCEEDED");
    expect(result.marked).toHaveLength(1);
    if (result.status === "SUCCEEDED")
      expect(result.output.outcome).toEqual({ status: "rejected" });
  });

  it("a fault still fails the execution (after MarkFailed), so ExecutionsFailed alarms", async () => {
    const result = await run(async () => {
      throw new Error("connection refused");
    });
    expect(result.status).toBe("FAILED");
    expect(result.marked).toHaveLength(1);
  });

  it("a good file succeeds without MarkFailed", async () => {
    const result = await run(async () => null);
    expect(result.status).toBe("SUCCEEDED");
    expect(result.marked).toHaveLength(0);
  });
});
