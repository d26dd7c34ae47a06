import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bucket } from "@jonquils/core/storage/object-store";

export interface S3rverHandle {
  endpoint: string;
  child: ChildProcess;
  dir: string;
}

/**
 * s3rver (an S3 API imitation, tests only: it checks no signatures) in a child process on a
 * random loopback port, with the given buckets. It needs --openssl-legacy-provider for its
 * listing continuation tokens.
 */
export async function startS3rver(buckets: string[]): Promise<S3rverHandle> {
  const dir = await mkdtemp(join(tmpdir(), "jonquils-s3rver-"));
  const script = `
    const S3rver = require("s3rver");
    const server = new S3rver({
      address: "127.0.0.1", port: 0, silent: true, directory: process.env.S3RVER_DIR,
      configureBuckets: JSON.parse(process.env.S3RVER_BUCKETS).map((name) => ({ name })),
    });
    server.run().then((a) => console.log("S3RVER " + JSON.stringify(a)), (e) => { console.error(e); process.exit(1); });
  `;
  const child = spawn(process.execPath, ["--openssl-legacy-provider", "-e", script], {
    cwd: process.cwd(),
    env: { ...process.env, S3RVER_DIR: dir, S3RVER_BUCKETS: JSON.stringify(buckets) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`no answer in 15 s: ${err}`)), 15_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /S3RVER (\{.*\})/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve((JSON.parse(m[1]) as { port: number }).port);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}: ${err}`));
    });
  });
  return { endpoint: `http://127.0.0.1:${port}`, child, dir };
}

/**
 * The environment a Lambda entry reads, pointed at a test database and s3rver: what the
 * stacks set in AWS (buckets, endpoint, credentials), with logs muted.
 */
export function stubLambdaEnv(
  stubEnv: (name: string, value: string) => unknown,
  opts: { databaseUrl: string; s3: S3rverHandle; buckets: Record<Bucket, string> },
): void {
  stubEnv("DATABASE_URL", opts.databaseUrl);
  stubEnv("S3_BUCKET_TRACKS", opts.buckets.tracks);
  stubEnv("S3_BUCKET_COVERS", opts.buckets.covers);
  stubEnv("S3_BUCKET_PLAYLISTS", opts.buckets.playlists);
  stubEnv("S3_BUCKET_TEMP", opts.buckets.temp);
  stubEnv("S3_ENDPOINT", opts.s3.endpoint);
  stubEnv("S3_FORCE_PATH_STYLE", "true");
  stubEnv("AWS_ACCESS_KEY_ID", "S3RVER");
  stubEnv("AWS_SECRET_ACCESS_KEY", "S3RVER");
  stubEnv("LOG_LEVEL", "silent");
  stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
}

/** Real bucket names for the four logical buckets, under a prefix of the test's own. */
export const testBuckets = (prefix: string): Record<Bucket, string> => ({
  tracks: `${prefix}-tracks`,
  covers: `${prefix}-covers`,
  playlists: `${prefix}-playlists`,
  temp: `${prefix}-temp`,
});
