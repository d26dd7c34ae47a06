/**
 * The load generator, run as a child process (see `runLoad`) so autocannon's own
 * event loop never competes with the servers under test. It receives one job over
 * IPC, runs a warm-up then the measured run, and sends back the measured result.
 */
import autocannon from "autocannon";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface LoadJob {
  /** Origin, e.g. http://127.0.0.1:1234 */
  origin: string;
  /** Paths requested in rotation (one entry: always the same path). */
  paths: string[];
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface LoadResult {
  /** Mean requests per second over the measured run. */
  rps: number;
  requests: number;
  p50: number;
  p90: number;
  p99: number;
  maxMs: number;
  meanMs: number;
  bytesPerSecond: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  durationSeconds: number;
  /** How many distinct paths the run (warm-up included) went through. */
  pathsUsed: number;
}

/** Runs one job in a fresh child process and resolves with its result. */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  return new Promise((resolve, reject) => {
    let result: LoadResult | undefined;
    child.on("message", (message: { result?: LoadResult; error?: string }) => {
      if (message.error) reject(new Error(`load generator: ${message.error}`));
      else result = message.result;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (result) resolve(result);
      else reject(new Error(`load generator exited with ${code} and no result`));
    });
    child.send(job);
  });
}

async function cannon(
  job: LoadJob,
  seconds: number,
  next: () => string,
): Promise<autocannon.Result> {
  return autocannon({
    url: job.origin,
    connections: job.connections,
    duration: seconds,
    pipelining: 1,
    timeout: 30,
    requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: next() }) }],
  });
}

async function main(job: LoadJob): Promise<LoadResult> {
  let i = 0;
  const next = () => job.paths[i++ % job.paths.length]!;
  if (job.warmupSeconds > 0) await cannon(job, job.warmupSeconds, next);
  const r = await cannon(job, job.durationSeconds, next);
  return {
    rps: r.requests.average,
    requests: r.requests.total,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    maxMs: r.latency.max,
    meanMs: r.latency.average,
    bytesPerSecond: r.throughput.average,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    durationSeconds: r.duration,
    pathsUsed: Math.min(i, job.paths.length),
  };
}

// Child side: one job per process.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.once("message", (job: LoadJob) => {
    main(job).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (error: unknown) =>
        process.send!({ error: error instanceof Error ? error.stack : String(error) }, () =>
          process.exit(1),
        ),
    );
  });
}
