/**
 * `npm run bench:all`: every benchmark, one after another (never two at once: they measure each
 * other otherwise), then one table of every target each printed — met or not, with the figure
 * and the dataset size the bench stated. Each bench keeps its own report; this only gathers the
 * lines that name a target.
 *
 *   npm run bench:all              quick sizes (a few minutes on 2 cores)
 *   npm run bench:all -- --full    the sizes docs/benchmarks.md records (100,000 tracks, 10M events…)
 *   npm run bench:all -- --only api,search
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const { values } = parseArgs({
  options: {
    full: { type: "boolean", default: false },
    only: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  process.stdout.write(
    "usage: npm run bench:all [-- --full] [-- --only api,search,analytics,ingest,import,lambda,subsonic]\n",
  );
  process.exit(0);
}

/** Each bench with the arguments of a quick run and of the recorded (full) run. */
const BENCHES: { name: string; quick: string[]; full: string[] }[] = [
  {
    name: "api",
    quick: ["--tracks", "20000", "--duration", "5", "--warmup", "1"],
    full: ["--tracks", "100000"],
  },
  { name: "search", quick: ["--tracks", "20000", "--queries", "150"], full: [] },
  {
    name: "analytics",
    quick: ["--events", "1000000", "--samples", "100"],
    full: ["--events", "10000000"],
  },
  { name: "ingest", quick: ["--ingest-files", "20", "--api-files", "4"], full: [] },
  { name: "import", quick: ["--files", "12"], full: ["--files", "40"] },
  { name: "lambda", quick: ["--runs", "5"], full: [] },
  { name: "subsonic", quick: [], full: [] },
];

const scripts = (
  JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;
const only = values.only?.split(",").map((s) => s.trim());
const selected = BENCHES.filter(
  (b) => scripts[`bench:${b.name}`] && (!only || only.includes(b.name)),
);

interface Finding {
  bench: string;
  line: string;
  met: boolean;
}

/** A line states a target's outcome when it says met / not met / missed. */
const OUTCOME = /\b(NOT\s+met|TARGETS?\s+MISSED|missed|met)\b/i;
/** Lines that state the dataset a bench ran on. */
const DATASET = /\b(\d[\d,]*\s*(tracks|events|files|queries|runs)|dataset|corpus|size|options:)\b/i;

function run(name: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn("npm", ["run", "--silent", `bench:${name}`, "--", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const take = (d: Buffer) => {
      output += d.toString();
      process.stdout.write(d);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("exit", (code) => done({ code, output }));
  });
}

const findings: Finding[] = [];
const datasets = new Map<string, string[]>();
const failures: string[] = [];
for (const bench of selected) {
  const args = values.full ? bench.full : bench.quick;
  process.stdout.write(`\n######## bench:${bench.name} ${args.join(" ")}\n`);
  const { code, output } = await run(bench.name, args);
  if (code !== 0) failures.push(`bench:${bench.name} exited ${code}`);
  const lines = output.split("\n").map((l) => l.trimEnd());
  datasets.set(bench.name, lines.filter((l) => DATASET.test(l) && !OUTCOME.test(l)).slice(0, 3));
  for (const line of lines) {
    const m = OUTCOME.exec(line);
    if (!m) continue;
    // A line may state two targets (throughput and p99): met only when none is missed.
    const met = !/\bNOT\s+met\b|\bmissed\b/i.test(line);
    findings.push({ bench: bench.name, line: line.trim(), met });
  }
}

const out = (s = "") => process.stdout.write(`${s}\n`);
out("\n================ every target, one table ================");
out(`run: ${values.full ? "full (recorded sizes)" : "quick sizes"}, ${new Date().toISOString()}`);
for (const bench of selected) {
  out(`\nbench:${bench.name}`);
  for (const d of datasets.get(bench.name) ?? []) out(`  dataset: ${d.trim()}`);
  const own = findings.filter((f) => f.bench === bench.name);
  if (own.length === 0) out("  (printed no target line)");
  for (const f of own) out(`  ${f.met ? "met    " : "NOT MET"}  ${f.line}`);
}
const missed = findings.filter((f) => !f.met).length;
out(
  `\n${findings.length - missed} of ${findings.length} target lines met; ${missed} not met${failures.length ? `; ${failures.join(", ")}` : ""}`,
);
process.exit(failures.length ? 1 : 0);
