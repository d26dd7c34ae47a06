import type { SendBatch, Spill } from "@jonquils/core/queue/queue";
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The local spill of the event queue: each batch that could not be delivered (store down,
 * buffer full, shutdown) becomes one NDJSON file in `dir`, written to a temporary name and
 * renamed, so a file is either complete or absent. Files are replayed oldest first and
 * deleted once sent; a crash mid-replay re-sends that file (at-least-once).
 */
export function createSpoolSpill<E>(
  dir: string,
  options: { batchSize?: number; accept?: (v: unknown) => v is E } = {},
): Spill<E> {
  const batchSize = options.batchSize ?? 5000;
  let seq = 0;
  const ready = mkdir(dir, { recursive: true });

  async function files(): Promise<string[]> {
    await ready;
    return (await readdir(dir)).filter((f) => f.endsWith(".ndjson")).sort();
  }

  async function read(file: string): Promise<E[]> {
    const text = await readFile(join(dir, file), "utf8");
    const out: E[] = [];
    for (const line of text.split("\n")) {
      if (!line) continue;
      const value: unknown = JSON.parse(line);
      if (!options.accept || options.accept(value)) out.push(value as E);
    }
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
        const events = await read(file);
        for (let i = 0; i < events.length; i += batchSize) {
          const part = events.slice(i, i + batchSize);
          await send(part);
          sent += part.length;
          if (i + batchSize < events.length) {
            // Keep what is left so a failure later does not re-send the parts already sent.
            const rest = events.slice(i + batchSize);
            await writeFile(
              join(dir, `${file}.tmp`),
              rest.map((e) => JSON.stringify(e)).join("\n") + "\n",
            );
            await rename(join(dir, `${file}.tmp`), join(dir, file));
          }
        }
        await unlink(join(dir, file));
      }
      return sent;
    },
    async pending() {
      let n = 0;
      for (const file of await files()) n += (await read(file)).length;
      return n;
    },
  };
}
