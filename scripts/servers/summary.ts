// Reads vitest's JSON report of `npm run test:servers` and prints one line per suite and
// engine: "object-store  s3(minio 20260212…)  12 passed". The engine is the part in
// parentheses of a test's outer describe ("object store contract (s3 server)"), labelled
// with the server's version from the environment the server scripts exported.
import { readFileSync } from "node:fs";
import { relative } from "node:path";

interface Assertion {
  ancestorTitles?: string[];
  status: string;
}
interface Report {
  testResults?: { name: string; status: string; assertionResults?: Assertion[] }[];
}
interface Row {
  suite: string;
  engine: string;
  passed: number;
  failed: number;
  skipped: number;
}

const [reportPath = "", ...suiteSpecs] = process.argv.slice(2);
const suites = new Map(suiteSpecs.map((s) => s.split("=") as [string, string]));
const report = JSON.parse(readFileSync(reportPath, "utf8")) as Report;
const env = process.env;

function label(raw: string): string {
  const engine = raw.replace(/^'(.*)'$/, "$1");
  const e = engine.toLowerCase();
  if (e.startsWith("postgres-fts on pglite")) return "postgres-fts(pglite)";
  if (e.startsWith("postgres-fts on")) return `postgres-fts(postgresql ${env.PG_VERSION ?? ""})`;
  if (e === "no server needed") return "s3 presigning (offline)";
  if (e.startsWith("minio events"))
    return `minio ${env.MINIO_VERSION ?? "?"} events + opensearch ${env.OPENSEARCH_VERSION ?? "?"}`;
  if (e === "s3 server" || e === "s3 server refusals")
    return `s3(minio ${env.MINIO_VERSION ?? "?"})`;
  if (e.includes("redis")) return `redis(${env.REDIS_VERSION ?? "server"})`;
  if (e.includes("postgres")) return `postgresql(${env.PG_VERSION ?? "server"})`;
  if (e.includes("opensearch")) return `opensearch(${env.OPENSEARCH_VERSION ?? "server"})`;
  if (e === "sqs" || e.includes("sqs")) return `sqs(moto ${env.MOTO_VERSION ?? "?"})`;
  if (e.includes("moto")) return `moto(${env.MOTO_VERSION ?? "?"})`;
  return engine;
}

const rows = new Map<string, Row>();
let failed = 0;
for (const file of report.testResults ?? []) {
  const rel = relative(process.cwd(), file.name);
  const suite = suites.get(rel) ?? rel;
  if ((file.assertionResults ?? []).length === 0 && file.status === "failed") {
    rows.set(`${suite}\u0000(file)`, {
      suite,
      engine: "(file failed to load)",
      passed: 0,
      failed: 1,
      skipped: 0,
    });
    failed++;
  }
  for (const t of file.assertionResults ?? []) {
    const outer = t.ancestorTitles?.[0] ?? "";
    const m = /\(([^()]+)\)\s*$/.exec(outer) ?? /\(([^()]+)\)/.exec(outer);
    let engine = m?.[1] ?? outer;
    if (suite === "queue" && engine === "real server") engine = "sqs";
    if (suite === "s3-refusals") engine = "s3 server";
    if (outer.startsWith("redis cache when the server is unreachable"))
      engine = "redis unreachable";
    const key = `${suite}\u0000${label(engine)}`;
    const row = rows.get(key) ?? { suite, engine: label(engine), passed: 0, failed: 0, skipped: 0 };
    if (t.status === "passed") row.passed++;
    else if (t.status === "failed") {
      row.failed++;
      failed++;
    } else row.skipped++;
    rows.set(key, row);
  }
}
for (const r of rows.values()) {
  const counts = [`${r.passed} passed`];
  if (r.failed) counts.push(`${r.failed} failed`);
  if (r.skipped) counts.push(`${r.skipped} skipped`);
  console.log(`${r.suite.padEnd(16)}${r.engine.padEnd(42)} ${counts.join(", ")}`);
}
process.exit(failed > 0 ? 1 : 0);
