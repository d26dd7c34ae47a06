import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import * as lambda from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";

/**
 * sharp for the transform function, as a layer of Lambda's own platform (linux-x64, glibc).
 *
 * SST would otherwise `npm install sharp@0.32.6` next to the bundle at every synth (network,
 * and an older sharp than the one the code is tested with). The layer holds the project's own
 * sharp version: copied from node_modules when the linux-x64 binaries are installed there (this
 * machine, CI: synthesis stays offline), installed for linux-x64 with npm otherwise (e.g. when
 * deploying from macOS).
 */
export function sharpLayer(scope: Construct, id: string): lambda.LayerVersion {
  const { dir, version } = buildSharpLayer();
  return new lambda.LayerVersion(scope, id, {
    code: lambda.Code.fromAsset(dir),
    compatibleArchitectures: [lambda.Architecture.X86_64],
    compatibleRuntimes: [lambda.Runtime.NODEJS_22_X, lambda.Runtime.NODEJS_24_X],
    description: `sharp ${version} for linux-x64 (glibc)`,
  });
}

/** The layer's directory (`nodejs/node_modules/sharp`, …), made once per sharp version. */
export function buildSharpLayerDir(): string {
  return buildSharpLayer().dir;
}

function buildSharpLayer(): { dir: string; version: string } {
  const root = resolve("node_modules");
  const { version } = JSON.parse(readFileSync(join(root, "sharp", "package.json"), "utf8")) as {
    version: string;
  };
  const out = resolve(".sst", "layers", `sharp-${version}-linux-x64`);
  const modules = join(out, "nodejs", "node_modules");
  if (!existsSync(join(modules, "sharp", "package.json"))) {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(modules, { recursive: true });
    const copied = copyFromNodeModules(root, modules);
    if (!copied) {
      execFileSync(
        "npm",
        [
          "install",
          "--no-save",
          "--omit=dev",
          "--os=linux",
          "--cpu=x64",
          "--libc=glibc",
          `sharp@${version}`,
        ],
        { cwd: join(out, "nodejs"), stdio: "inherit" },
      );
    }
  }
  return { dir: out, version };
}

/** sharp and its runtime dependencies, when the linux-x64 glibc binaries are installed here. */
function copyFromNodeModules(root: string, modules: string): boolean {
  const packages = [
    "sharp",
    "@img/colour",
    "@img/sharp-linux-x64",
    "@img/sharp-libvips-linux-x64",
    "detect-libc",
    "semver",
  ];
  if (!packages.every((name) => existsSync(join(root, name, "package.json")))) return false;
  for (const name of packages) {
    cpSync(join(root, name), join(modules, name), { recursive: true, dereference: true });
  }
  return true;
}
