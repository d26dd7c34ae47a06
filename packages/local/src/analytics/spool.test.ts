import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSpoolSpill } from "./spool";

type Ev = { n: number };
const isEv = (v: unknown): v is Ev => typeof (v as Ev | null)?.n === "number";

describe("the analytics spool", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "jq-spool-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("sets a damaged line aside and still delivers the rest, and the files after it", async () => {
    const spool = createSpoolSpill<Ev>(dir, { accept: isEv });
    await spool.write([{ n: 1 }, { n: 2 }]);
    await spool.write([{ n: 3 }]);
    const [first] = (await readdir(dir)).filter((f) => f.endsWith(".ndjson")).sort();
    await writeFile(join(dir, first!), '{"n":1}\n{"n":\n{"x":true}\n{"n":2}\n');
    const got: Ev[] = [];
    expect(
      await spool.replay((batch) => {
        got.push(...batch);
        return Promise.resolve();
      }),
    ).toBe(3);
    expect(got.map((e) => e.n)).toEqual([1, 2, 3]);
    expect(await readFile(join(dir, "rejected", first!), "utf8")).toBe('{"n":\n{"x":true}\n');
    expect(await spool.pending()).toBe(0);
  });

  it("keeps a refused file for the next replay, and sets it aside after repeated refusals", async () => {
    const spool = createSpoolSpill<Ev>(dir, { accept: isEv });
    await spool.write([{ n: 1 }]);
    const refuse = () => Promise.reject(new Error("Code: 27. Cannot parse input"));
    for (let i = 1; i < 5; i++) {
      await expect(spool.replay(refuse)).rejects.toThrow(/Cannot parse/);
      expect(await spool.pending()).toBe(1);
    }
    await expect(spool.replay(refuse)).rejects.toThrow(/Cannot parse/);
    expect(await spool.pending()).toBe(0);
    expect(await readdir(join(dir, "rejected"))).toHaveLength(1);
  });

  it("never sends a file twice when two processes replay the same folder", async () => {
    const a = createSpoolSpill<Ev>(dir, { accept: isEv });
    const b = createSpoolSpill<Ev>(dir, { accept: isEv });
    for (let i = 0; i < 20; i++) await a.write([{ n: i }]);
    const got: number[] = [];
    const send = async (batch: Ev[]) => {
      await new Promise((r) => setTimeout(r, 1));
      got.push(...batch.map((e) => e.n));
    };
    const [x, y] = await Promise.all([a.replay(send), b.replay(send)]);
    expect(x + y).toBe(20);
    expect(got.sort((p, q) => p - q)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("takes back a file a dead process was replaying", async () => {
    const spool = createSpoolSpill<Ev>(dir, { accept: isEv });
    await spool.write([{ n: 7 }]);
    const [file] = (await readdir(dir)).filter((f) => f.endsWith(".ndjson"));
    // A pid that does not exist: the process crashed mid-replay.
    const { rename } = await import("node:fs/promises");
    await rename(join(dir, file!), join(dir, `${file}.replaying-999999`));
    const got: Ev[] = [];
    await spool.replay((batch) => {
      got.push(...batch);
      return Promise.resolve();
    });
    expect(got).toEqual([{ n: 7 }]);
  });
});
