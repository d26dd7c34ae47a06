import { MAX_ATTEMPTS, RedriveExhaustedError } from "@jonquils/core/upload/lifecycle";
import { objectCreatedToEventBridge } from "@jonquils/pipeline/executor";
import { describe, expect, it } from "vitest";
import { listOnlyStore } from "./list-only-store";
import {
  ExecutionExistsError,
  executionArn,
  redriveExecutionName,
  redriveInput,
  stepFunctionsRecovery,
  type ExecutionsPort,
  type ExecutionStatus,
} from "./step-functions-recovery";

const BUCKETS = { tracks: "prod-tracks", covers: "c", playlists: "p", temp: "t" };
const event = { bucket: "tracks" as const, key: "u/1/abc/song.mp3", size: 1234, etag: "e1" };

/** Step Functions' naming rules as AWS documents them (and moto implements them). */
function fakeExecutions() {
  const executions = new Map<string, { status: ExecutionStatus; input: string }>();
  const calls: string[] = [];
  const port: ExecutionsPort = {
    async status(name) {
      calls.push(`describe ${name}`);
      return executions.get(name)?.status ?? null;
    },
    async start(name, input) {
      calls.push(`start ${name}`);
      const existing = executions.get(name);
      if (existing) {
        // Same name and input while running: the same execution (idempotent); else refused.
        if (existing.status === "RUNNING" && existing.input === input) return;
        throw new ExecutionExistsError(name);
      }
      executions.set(name, { status: "RUNNING", input });
    },
  };
  return { port, executions, calls };
}

describe("re-driving uploads through Step Functions (decision logic)", () => {
  it("starts attempt n under a name derived from the upload, once, with EventBridge's input shape", async () => {
    const sfn = fakeExecutions();
    const { redrive } = stepFunctionsRecovery(sfn.port, BUCKETS);
    expect(await redrive(event, { uploadId: "abc", attempt: 2 })).toBe("recover-abc-2");
    // Running already: nothing started, and the sweep is told so.
    expect(await redrive(event, { uploadId: "abc", attempt: 2 })).toBe(false);
    expect([...sfn.executions.keys()]).toEqual([redriveExecutionName("abc", 2)]);
    expect(sfn.calls.filter((c) => c.startsWith("start"))).toHaveLength(1);
    // What the ASL reads is what EventBridge delivers, with the bucket's real name.
    const input = JSON.parse(sfn.executions.get("recover-abc-2")!.input);
    const { time: _time, ...delivered } = objectCreatedToEventBridge({
      ...event,
      bucket: "prod-tracks" as never,
    });
    expect(input).toEqual(delivered);
    expect(JSON.stringify(input)).toBe(redriveInput("prod-tracks", event));
  });

  it("moves to the next attempt when one ended without finishing, and refuses past the bound", async () => {
    const sfn = fakeExecutions();
    const { redrive } = stepFunctionsRecovery(sfn.port, BUCKETS);
    sfn.executions.set("recover-abc-2", { status: "ABORTED", input: "{}" });
    await redrive(event, { uploadId: "abc", attempt: 2 });
    expect(sfn.executions.get("recover-abc-3")?.status).toBe("RUNNING");
    sfn.executions.get("recover-abc-3")!.status = "FAILED";
    await expect(redrive(event, { uploadId: "abc", attempt: 2 })).rejects.toBeInstanceOf(
      RedriveExhaustedError,
    );
    expect(sfn.executions.size).toBe(MAX_ATTEMPTS - 1);
  });

  it("treats a name taken meanwhile (a concurrent sweep) as the next attempt's business", async () => {
    const sfn = fakeExecutions();
    const racing: ExecutionsPort = {
      status: async (name) => (name === "recover-abc-1" ? null : sfn.port.status(name)),
      start: async (name, input) => {
        if (name === "recover-abc-1") throw new ExecutionExistsError(name);
        return sfn.port.start(name, input);
      },
    };
    await stepFunctionsRecovery(racing, BUCKETS).redrive(event, { uploadId: "abc", attempt: 1 });
    expect([...sfn.executions.keys()]).toEqual(["recover-abc-2"]);
  });

  it("calls a run alive when the execution that claimed it, or a re-drive of it, is RUNNING", async () => {
    const sfn = fakeExecutions();
    const { isLive } = stepFunctionsRecovery(sfn.port, BUCKETS);
    const upload = { id: "abc", key: event.key, attempts: 1, executionNames: ["from-eventbridge"] };
    expect(await isLive(upload)).toBe(false);
    sfn.executions.set("from-eventbridge", { status: "RUNNING", input: "{}" });
    expect(await isLive(upload)).toBe(true);
    sfn.executions.set("from-eventbridge", { status: "TIMED_OUT", input: "{}" });
    expect(await isLive(upload)).toBe(false);
    // Re-driven, not yet claimed by Extract: no running job, but the execution runs.
    sfn.executions.set("recover-abc-2", { status: "RUNNING", input: "{}" });
    expect(await isLive({ ...upload, executionNames: [] })).toBe(true);
  });

  it("derives execution ARNs from the state machine's", () => {
    expect(
      executionArn("arn:aws:states:eu-west-1:123456789012:stateMachine:ingest-Ab1", "recover-x-2"),
    ).toBe("arn:aws:states:eu-west-1:123456789012:execution:ingest-Ab1:recover-x-2");
    // Step Functions' limit: 80 characters of [A-Za-z0-9_-].
    expect(redriveExecutionName("0b5f8e3e-7a61-4c1f-9d1e-2f0f7f6b8a11", MAX_ATTEMPTS)).toMatch(
      /^[\w-]{1,80}$/,
    );
  });
});

describe("the recovery sweep's list-only view of the bucket", () => {
  const info = (key: string) => ({
    key,
    size: key.length,
    etag: `etag-${key}`,
    contentType: null,
    lastModified: null,
  });
  const keys = ["u/1/a/song.mp3", "u/1/a/song.mp3.part", "u/1/b/other.mp3"];
  const listed: (string | undefined)[] = [];
  const store = listOnlyStore({
    kind: "s3",
    bucketNames: BUCKETS,
    async *list(_bucket, prefix) {
      listed.push(prefix);
      for (const k of keys.filter((k) => k.startsWith(prefix ?? "")).sort()) yield info(k);
    },
    ping: async () => {},
  });

  it("answers head by listing the key (no HEAD, which a list-only role sees as 403 for a missing key)", async () => {
    expect(await store.head("tracks", "u/1/a/song.mp3")).toEqual(info("u/1/a/song.mp3"));
    expect(await store.head("tracks", "u/1/a/song")).toBeNull();
    expect(await store.head("tracks", "u/9/missing.mp3")).toBeNull();
    expect(listed).toEqual(["u/1/a/song.mp3", "u/1/a/song", "u/9/missing.mp3"]);
  });

  it("refuses reads and writes", async () => {
    await expect(store.get("tracks", "u/1/a/song.mp3")).rejects.toThrow(/does not read/);
    await expect(store.delete("tracks", "u/1/a/song.mp3")).rejects.toThrow(/does not delete/);
  });
});
