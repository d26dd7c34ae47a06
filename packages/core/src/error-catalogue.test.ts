import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE, isErrorCode } from "./error-catalogue";

/*
 * The catalogue is the list clients (and the OpenAPI enum) rely on. These checks read the
 * source the way a reviewer would: every code the server can answer with must be listed with
 * its status, and every listed code must still be answered somewhere.
 */

const root = join(import.meta.dirname, "..", "..", "..");
const dirs = ["packages/core/src", "packages/api/src", "packages/local/src", "functions"];

function sources(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!["node_modules", "testing", "bench"].includes(entry.name)) walk(path);
      } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
        out.push({ file: relative(root, path), text: readFileSync(path, "utf8") });
      }
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out;
}

/** [code, status] pairs the source answers with, and where. */
function thrownCodes() {
  const found: { code: string; status: number | undefined; file: string }[] = [];
  const add = (code: string, status: string | undefined, file: string) =>
    found.push({ code, status: status && /^\d+$/.test(status) ? Number(status) : undefined, file });
  for (const { file, text } of sources()) {
    for (const m of text.matchAll(/new AppError\(\s*"([a-z0-9_]+)"\s*,\s*(\w+)/g))
      add(m[1]!, m[2], file);
    for (const m of text.matchAll(/CommonErrors\.conflict\(\s*"([a-z0-9_]+)"/g))
      add(m[1]!, "409", file);
    for (const m of text.matchAll(/CommonErrors\.invalid\(\s*"([a-z0-9_]+)"/g))
      add(m[1]!, "422", file);
    for (const m of text.matchAll(/CommonErrors\.notFound\(\s*"([a-z0-9_]+)"/g))
      add(`${m[1]}_not_found`, "404", file);
    for (const m of text.matchAll(/\bproblem\(\s*c\s*,\s*(\d+)\s*,\s*"([a-z0-9_]+)"/g))
      add(m[2]!, m[1], file);
    // The local store's checks: fail(status, "code", …) and { status, code: "…" } outcomes.
    for (const m of text.matchAll(/\bfail\(\s*(\d+)\s*,\s*"([a-z0-9_]+)"/g)) add(m[2]!, m[1], file);
    for (const m of text.matchAll(/status: (\d+),\s*code: "([a-z0-9_]+)"/g)) add(m[2]!, m[1], file);
  }
  return found;
}

describe("error catalogue", () => {
  const thrown = thrownCodes();

  it("finds the codes it checks (the scan itself works)", () => {
    expect(thrown.length).toBeGreaterThan(60);
    expect(thrown.map((t) => t.code)).toEqual(
      expect.arrayContaining(["artist_name_taken", "validation_failed", "conflict"]),
    );
  });

  it("lists every code the server answers with, at the status it is answered with", () => {
    const missing = thrown.filter((t) => !isErrorCode(t.code)).map((t) => `${t.code} (${t.file})`);
    expect(missing, "add these to packages/core/src/error-catalogue.ts").toEqual([]);
    const wrongStatus = thrown
      .filter((t) => t.status !== undefined && isErrorCode(t.code))
      .filter((t) => ERROR_CATALOGUE[t.code as keyof typeof ERROR_CATALOGUE].status !== t.status)
      .map((t) => `${t.code}: ${t.status} in ${t.file}`);
    expect(wrongStatus).toEqual([]);
  });

  it("lists no code that nothing answers with any more", () => {
    const all = sources()
      .map((s) => s.text)
      .join("\n");
    const answered = new Set(thrown.map((t) => t.code));
    // Built at run time: `${entity}_not_found`, `${field}_taken`, `http_${status}`.
    const dynamic = (code: string) =>
      /^http_\d{3}$/.test(code) ||
      code === "username_taken" ||
      code === "email_taken" ||
      /^(track|album|artist)_not_found$/.test(code);
    const stale = Object.keys(ERROR_CATALOGUE).filter(
      (code) => !dynamic(code) && !answered.has(code) && !all.includes(`"${code}"`),
    );
    expect(stale).toEqual([]);
  });

  it("keeps codes stable: snake_case, each once", () => {
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});
