import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as s3deploy from "aws-cdk-lib/aws-s3-deployment";
import { use, type StackContext } from "sst/constructs";
import { Api } from "./Api";
import { Web } from "./Web";

/** What the SPA build puts in index.html's `jonquils-api-url` meta tag until deploy time. */
export const API_URL_PLACEHOLDER = "https://jonquils-api-url.invalid";

/**
 * The SPA's files: built at synth with a placeholder API URL, uploaded with long-lived caching;
 * index.html is uploaded separately with the deployed API URL substituted (a deploy-time value)
 * and no caching, then CloudFront is invalidated.
 */
export function WebContent({ stack }: StackContext) {
  const { bucket, distribution } = use(Web);
  const { api } = use(Api);
  const dist = buildSpa();
  const html = readFileSync(join(dist, "index.html"), "utf8");
  if (!html.includes(API_URL_PLACEHOLDER))
    throw new Error(`web build: index.html has no ${API_URL_PLACEHOLDER} to replace`);

  const assets = new s3deploy.BucketDeployment(stack, "assets", {
    destinationBucket: bucket,
    sources: [s3deploy.Source.asset(dist, { exclude: ["index.html"] })],
    cacheControl: [s3deploy.CacheControl.fromString("public,max-age=31536000,immutable")],
    prune: false,
    memoryLimit: 512,
  });
  const index = new s3deploy.BucketDeployment(stack, "index", {
    destinationBucket: bucket,
    sources: [s3deploy.Source.data("index.html", html.replaceAll(API_URL_PLACEHOLDER, api.url))],
    cacheControl: [s3deploy.CacheControl.fromString("no-cache")],
    prune: false,
    distribution,
    distributionPaths: ["/index.html", "/"],
  });
  index.node.addDependency(assets);
}

/**
 * Builds web/ with Vite into .sst/web/dist. JONQUILS_SKIP_WEB_BUILD=1 (the stack tests) writes
 * a one-file stand-in instead, so synthesizing does not depend on the SPA's build time.
 */
function buildSpa(): string {
  const out = resolve(".sst", "web", "dist");
  mkdirSync(out, { recursive: true });
  if (process.env["JONQUILS_SKIP_WEB_BUILD"] === "1") {
    writeFileSync(
      join(out, "index.html"),
      `<!doctype html><meta name="jonquils-api-url" content="${API_URL_PLACEHOLDER}" /><title>JONQUILS</title>\n`,
    );
    return out;
  }
  execFileSync(
    process.execPath,
    [
      resolve("node_modules", "vite", "bin", "vite.js"),
      "build",
      "--config",
      resolve("web", "vite.config.ts"),
      "--outDir",
      out,
      "--emptyOutDir",
      "--logLevel",
      "warn",
    ],
    {
      stdio: "inherit",
      // Offline synthesis runs with NODE_ENV=test; the SPA is always a production build.
      env: { ...process.env, NODE_ENV: "production", VITE_API_URL: API_URL_PLACEHOLDER },
    },
  );
  return out;
}
