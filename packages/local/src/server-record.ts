import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * `DATA_DIR/server.json`: which process serves this data directory, on which port. PGlite is
 * a one-process database, so this record is its lock: a second `npm start` refuses to open the
 * same directory, `npm run db:sql` waits for the server to stop, and `npm run monitor` asks the
 * server (on the port it really uses) instead of opening the database itself.
 */
export interface ServerRecord {
  pid: number;
  host: string;
  port: number;
  webPort: number;
  startedAt: string;
  /** The admin account local CLIs sign their short-lived tokens for (see operator.ts). */
  operatorId?: string | undefined;
}

const file = (dataDir: string) => join(dataDir, "server.json");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The live server of this data directory, or null (none recorded, or it died without cleaning up). */
export async function runningServer(dataDir: string): Promise<ServerRecord | null> {
  let record: ServerRecord;
  try {
    record = JSON.parse(await readFile(file(dataDir), "utf8")) as ServerRecord;
  } catch {
    return null;
  }
  if (!Number.isInteger(record.pid) || record.pid === process.pid || !alive(record.pid))
    return null;
  return record;
}

export async function writeServerRecord(dataDir: string, record: ServerRecord): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(file(dataDir), JSON.stringify(record, null, 2) + "\n");
}

/** Removes the record if it is this process's. */
export async function removeServerRecord(dataDir: string): Promise<void> {
  try {
    const record = JSON.parse(await readFile(file(dataDir), "utf8")) as ServerRecord;
    if (record.pid === process.pid) await rm(file(dataDir), { force: true });
  } catch {
    // none, or unreadable: nothing of ours to remove
  }
}

/** Where to reach a recorded server from this machine. */
export const serverBaseUrl = (r: ServerRecord) =>
  `http://${r.host === "0.0.0.0" || r.host === "::" ? "127.0.0.1" : r.host}:${r.port}`;
