import { describe, expect, it } from "vitest";
import { docsRoutes, REDOCLY_LOGO_URL } from "../src/routes/docs";

/** The CSP's img-src, parsed from the header. */
const imgSrc = (csp: string | null) =>
  (csp ?? "")
    .split(";")
    .map((d) => d.trim().split(/\s+/))
    .find(([name]) => name === "img-src")
    ?.slice(1) ?? [];

describe("API docs pages: no console errors", () => {
  const app = docsRoutes("local");

  it("/docs and /redoc declare an inline icon (no /favicon.ico request that 404s) the CSP allows", async () => {
    for (const path of ["/docs", "/redoc"]) {
      const res = await app.request(path);
      const html = await res.text();
      const icon = /<link rel="icon" href="([^"]+)">/.exec(html)?.[1];
      expect(icon, path).toMatch(/^data:image\/svg\+xml,/);
      expect(imgSrc(res.headers.get("content-security-policy"))).toContain("data:");
    }
  });

  it("the served ReDoc bundle loads no image from a host the CSP blocks", async () => {
    const res = await app.request("/docs/assets/redoc.standalone.js");
    expect(res.status).toBe(200);
    const js = await res.text();
    expect(js.length).toBeGreaterThan(100_000);
    expect(js).not.toContain(REDOCLY_LOGO_URL);
    expect(js).not.toContain("https://cdn.redoc.ly");
  });

  it("with the CDN bundle, the CSP admits its logo host", async () => {
    const res = await docsRoutes("cdn").request("/redoc");
    expect(imgSrc(res.headers.get("content-security-policy"))).toContain("https://cdn.redoc.ly");
  });
});
