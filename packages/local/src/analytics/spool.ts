import type { SendBatch, Spill } from "@jonquils/core/queue/queue";
import { randomBytes } from "node:crypto";
import {
  appendFile,
  mkdir,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";

/**
 * The local spill of the event queue: each batch that could not be delivered (store down,
 * buffer full, shutdown) becomes one NDJSON file in `dir`, written to a temporary name and
 * renamed, so a file is either complete or absent. Files are replayed oldest first and
 * deleted once sent; a crash mid-replay re-sends that file (at-least-once).
 *
 * A replay claims a file by renaming it (`….replaying-<pid>`), so two processes sharing the
 * folder never send it twice; a claim left by a dead process is taken back. A line that does
 * not parse, or a file the store refuses MAX_FAILURES times, is set aside in `rejected/`
 * (kept for inspection, never silently dropped) instead of blocking every later file.
 */
const MAX_FAILURES = 5;
const STALE_TMP_MS = 3600_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
export function createSpoolSpill<E>(
  dir: string,
  options: { batchSize?: number; accept?: (v: unknown) => v is E } = {},
): Spill<E> {
  const batchSize = options.batchSize ?? 5000;
  let seq = 0;
  const ready = mkdir(join(dir, "rejected"), { recursive: true });
  const failures = new Map<string, number>();

  /** Spool files oldest first, taking back claims of dead processes and dropping stale temporaries. */
  async function files(): Promise<string[]> {
    await ready;
    const names = await readdir(dir);
    for (const name of names) {
      const claim = /^(.*\.ndjson)\.replaying-(\d+)$/.exec(name);
      if (claim && !alive(Number(claim[2])))
        await rename(join(dir, name), join(dir, claim[1]!)).catch(() => undefined);
      if (name.endsWith(".tmp")) {
        const info = await stat(join(dir, name)).catch(() => null);
        // A write that never reached its rename: the process died before the batch was spooled.
        if (info && Date.now() - info.mtimeMs > STALE_TMP_MS)
          await unlink(join(dir, name)).catch(() => undefined);
      }
    }
    return (await readdir(dir)).filter((f) => f.endsWith(".ndjson")).sort();
  }

  async function read(path: string, file: string): Promise<E[]> {
    const text = await readFile(path, "utf8");
    const out: E[] = [];
    const bad: string[] = [];
    for (const line of text.split("\n")) {
      if (!line) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        bad.push(line);
        continue;
      }
      if (!options.accept || options.accept(value)) out.push(value as E);
      else bad.push(line);
    }
    if (bad.length > 0) await appendFile(join(dir, "rejected", file), bad.join("\n") + "\n");
    return out;
  }

  return {
    async write(batch) {
      if (batch.length === 0) return;
      await ready;
      // Time first so names sort in write order; pid and randomness keep processes apart.
      const name = `${Date.now().toString().padStart(15, "0")}-${String(++seq).padStart(6, "0")}-${process.pid}-${randomBytes(3).toString("hex")}`;
      let text = "";
      for (const e of batch) text += JSON.stringify(e) + "\n";
      await writeFile(join(dir, `${name}.tmp`), text);
      await rename(join(dir, `${name}.tmp`), join(dir, `${name}.ndjson`));
    },
    async replay(send: SendBatch<E>) {
      let sent = 0;
      for (const file of await files()) {
        const claimed = join(dir, `${file}.replaying-${process.pid}`);
        try {
          await rename(join(dir, file), claimed);
        } catch (error) {
          if (isMissing(error)) continue; // another process took it
          throw error;
        }
        try {
          const events = await read(claimed, file);
          for (let i = 0; i < events.length; i += batchSize) {
            const part = events.slice(i, i + batchSize);
            await send(part);
            sent += part.length;
            if (i + batchSize < events.length) {
              // Keep what is left so a failure later does not re-send the parts already sent.
              const rest = events.slice(i + batchSize);
              await writeFile(
                `${claimed}.tmp`,
                rest.map((e) => JSON.stringify(e)).join("\n") + "\n",
              );
              await rename(`${claimed}.tmp`, claimed);
            }
          }
          await unlink(claimed);
          failures.delete(file);
        } catch (error) {
          const n = (failures.get(file) ?? 0) + 1;
          failures.set(file, n);
          // Refused again and again: set it aside so the files after it still go.
          const back = n >= MAX_FAILURES ? join(dir, "rejected", file) : join(dir, file);
          await rename(claimed, back).catch(() => undefined);
          throw error;
        }
      }
      return sent;
    },
    async pending() {
      let n = 0;
      for (const file of await files()) {
        try {
          const text = await readFile(join(dir, file), "utf8");
          n += text.split("\n").filter(Boolean).length;
        } catch (error) {
          if (!isMissing(error)) throw error;
        }
      }
      return n;
    },
  };
}
