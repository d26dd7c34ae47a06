/**
 * A test-only ClickHouse HTTP interface in front of chDB: it takes the requests
 * @clickhouse/client sends (the query in the body or the `query` parameter with the data in
 * the body, `param_<name>` bindings, `database`, `default_format`, every other URL parameter
 * as a setting for that one query, `/ping`), runs them in chDB and answers with chDB's own
 * output and errors (`Code: N. DB::Exception: …`, X-ClickHouse-Exception-Code). Nothing in an
 * answer is made up: the HTTP adapter's requests and parsing meet a real engine.
 *
 * What a real server does that this does not — authentication, compression negotiation,
 * sessions, HTTP status codes per error code, server-side settings and version behaviour — is
 * listed in docs/architecture/testing.md ("what was and was not verified").
 *
 * chDB holds one data directory per process, so the bridge runs in a child process:
 * `spawnClickHouseBridge(dir)`; run directly (`tsx clickhouse-bridge.ts <dir>`) it prints
 * `{"url": …}` on its first line and serves until stdin closes.
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage } from "node:http";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { gunzipSync } from "node:zlib";

/** URL parameters of the HTTP interface that are not settings. */
const NOT_SETTINGS = new Set([
  "query",
  "query_id",
  "database",
  "default_format",
  "session_id",
  "session_timeout",
  "session_check",
  "role",
  "user",
  "password",
  "quota_key",
  "compress",
  "decompress",
  // HTTP-layer parameters of the server (response buffering), not engine settings.
  "wait_end_of_query",
  "buffer_size",
]);

/** One request as the bridge saw it (tests assert on what the adapter sent). */
export interface BridgeRequest {
  method: string;
  path: string;
  sql: string;
  params: Record<string, string>;
  settings: Record<string, string>;
  database: string | undefined;
  status: number;
}

const ESCAPES: Record<string, string> = {
  b: "\b",
  f: "\f",
  r: "\r",
  n: "\n",
  t: "\t",
  0: "\0",
  a: "\x07",
  v: "\v",
};
/** A `param_*` value as the server reads it: the Escaped (TSV) text format, `\'` → `'` etc. */
export const unescapeParam = (v: string) => v.replace(/\\(.)/gs, (_, c: string) => ESCAPES[c] ?? c);

const quote = (v: string) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
const ident = (v: string) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new Error(`not an identifier: ${v}`);
  return v;
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const CONTENT_TYPES: Record<string, string> = {
  JSONEachRow: "application/x-ndjson; charset=UTF-8",
  JSONCompactEachRow: "application/x-ndjson; charset=UTF-8",
  JSON: "application/json; charset=UTF-8",
};

/** Serves the HTTP interface over a chDB session with its data under `dataDir`. */
export async function serveClickHouseBridge(dataDir: string, port = 0) {
  await mkdir(dataDir, { recursive: true });
  const { Session } = await import("chdb");
  // No connection settings: whatever the adapter needs, it must send.
  const session = new Session(dataDir);
  const requests: BridgeRequest[] = [];
  const defaults = new Map<string, string>();
  let queue: Promise<unknown> = Promise.resolve();
  // One query at a time: settings are applied to the session around each one.
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  async function run(
    sql: string,
    params: Record<string, string>,
    settings: Record<string, string>,
    database: string | undefined,
    format: string,
  ) {
    const applied: string[] = [];
    try {
      for (const [name, value] of Object.entries(settings)) {
        ident(name);
        // A server applies `readonly` to one query; in a session it cannot be undone.
        if (name === "readonly")
          throw new Error("Code: 1001. the bridge does not support readonly");
        if (!defaults.has(name)) {
          const r = await session.queryBindAsync(
            "SELECT value FROM system.settings WHERE name = {name:String}",
            { name },
            { format: "TabSeparatedRaw" },
          );
          defaults.set(name, r.text().replace(/\n$/, ""));
        }
        // An unknown setting fails here with the engine's own error, as on the server.
        await session.queryAsync(`SET ${name} = ${quote(value)}`);
        applied.push(name);
      }
      if (database) await session.queryAsync(`USE ${ident(database)}`);
      const result =
        Object.keys(params).length > 0
          ? await session.queryBindAsync(sql, params, { format })
          : await session.queryAsync(sql, { format });
      return result;
    } finally {
      for (const name of applied)
        await session
          .queryAsync(`SET ${name} = ${quote(defaults.get(name) ?? "")}`)
          .catch(() => {});
      if (database) await session.queryAsync("USE default").catch(() => {});
    }
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://bridge");
      if (url.pathname === "/__bridge/requests") {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify(requests));
      }
      if (url.pathname === "/ping") {
        res.writeHead(200, { "content-type": "text/plain; charset=UTF-8" });
        return res.end("Ok.\n");
      }
      let body = await readBody(req);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      const params: Record<string, string> = {};
      const settings: Record<string, string> = {};
      for (const [k, v] of url.searchParams) {
        if (k.startsWith("param_")) params[k.slice("param_".length)] = unescapeParam(v);
        else if (!NOT_SETTINGS.has(k)) settings[k] = v;
      }
      const queryParam = url.searchParams.get("query");
      // The query in `query` with the data (an INSERT's rows) in the body, or all in the body.
      const sql =
        queryParam !== null ? `${queryParam}\n${body.toString("utf8")}` : body.toString("utf8");
      const database = url.searchParams.get("database") ?? undefined;
      const format =
        /\bFORMAT\s+([A-Za-z]+)\s*;?\s*$/i.exec(queryParam ?? sql)?.[1] ??
        url.searchParams.get("default_format") ??
        "TabSeparated";
      const record: BridgeRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        sql: queryParam ?? sql,
        params,
        settings,
        database,
        status: 200,
      };
      requests.push(record);
      const queryId = url.searchParams.get("query_id") ?? "";
      try {
        const result = await serial(() => run(sql, params, settings, database, format));
        const bytes = result.bytes();
        res.writeHead(200, {
          "content-type": CONTENT_TYPES[format] ?? "text/plain; charset=UTF-8",
          "x-clickhouse-format": format,
          "x-clickhouse-query-id": queryId,
          "x-clickhouse-summary": JSON.stringify({
            read_rows: String(result.rowsRead),
            read_bytes: String(result.bytesRead),
            elapsed_ns: String(Math.round(result.elapsed * 1e9)),
          }),
        });
        res.end(Buffer.from(bytes));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const code = /Code: (\d+)\./.exec(message)?.[1] ?? "1001";
        record.status = 500;
        res.writeHead(500, {
          "content-type": "text/plain; charset=UTF-8",
          "x-clickhouse-exception-code": code,
          "x-clickhouse-query-id": queryId,
        });
        res.end(`${message.trim()}\n`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : port}`;
  return {
    url,
    requests,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
      session.close();
    },
  };
}

export interface SpawnedBridge {
  url: string;
  /** Every request the bridge has seen, in order (from the child: `GET /__bridge/requests`). */
  requests(): Promise<BridgeRequest[]>;
  close(): Promise<void>;
}

/** Starts the bridge in a child process (chDB allows one data directory per process). */
export async function spawnClickHouseBridge(dataDir: string): Promise<SpawnedBridge> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), dataDir],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once("line", (line) => {
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`clickhouse bridge: unexpected output ${line}`));
      }
    });
    child.once("exit", (code) => reject(new Error(`clickhouse bridge exited (${code})`)));
  });
  return {
    url,
    requests: async () =>
      (await (await fetch(`${url}/__bridge/requests`)).json()) as BridgeRequest[],
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin.end();
      }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: clickhouse-bridge.ts <data dir>");
  const bridge = await serveClickHouseBridge(dir);
  process.stdout.write(`${JSON.stringify({ url: bridge.url })}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => void bridge.close().then(() => process.exit(0)));
}
