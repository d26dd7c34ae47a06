import { Hono } from "hono";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * Swagger UI at /docs and ReDoc at /redoc. Scripts are served from this server
 * (the npm packages swagger-ui-dist and redoc), so the pages work offline and
 * need no inline script under the CSP; `cdn` loads the same versions from jsDelivr.
 */
const assets: Record<string, { pkg: string; file: string; type: string }> = {
  "swagger-ui.css": { pkg: "swagger-ui-dist", file: "swagger-ui.css", type: "text/css" },
  "swagger-ui-bundle.js": {
    pkg: "swagger-ui-dist",
    file: "swagger-ui-bundle.js",
    type: "text/javascript",
  },
  "redoc.standalone.js": {
    pkg: "redoc",
    file: "bundles/redoc.standalone.js",
    type: "text/javascript",
  },
};

const cdn: Record<string, string> = {
  "swagger-ui.css": "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0/swagger-ui.css",
  "swagger-ui-bundle.js":
    "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0/swagger-ui-bundle.js",
  "redoc.standalone.js": "https://cdn.jsdelivr.net/npm/redoc@2.5.4/bundles/redoc.standalone.js",
};

const initScript = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: true });
});`;

/** An inline icon: browsers otherwise ask for /favicon.ico, which this API does not serve (a 404 in the console). */
const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%23f5c518'/%3E%3C/svg%3E";

const page = (title: string, head: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="${FAVICON}">
<title>${title}</title>${head}</head><body>${body}</body></html>`;

/**
 * ReDoc's sidebar footer loads its logo from cdn.redoc.ly, which the CSP (img-src 'self' data:)
 * blocks — a console error on every visit. The served bundle points it at an inline image instead.
 */
export const REDOCLY_LOGO_URL = "https://cdn.redoc.ly/redoc/logo-mini.svg";
const patchRedoc = (bundle: Buffer): Buffer =>
  Buffer.from(bundle.toString("utf8").replaceAll(REDOCLY_LOGO_URL, FAVICON), "utf8");

const CSP_LOCAL =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; font-src 'self' data: https://fonts.gstatic.com; img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'";
const CSP_CDN = CSP_LOCAL.replace("script-src 'self'", "script-src 'self' https://cdn.jsdelivr.net")
  .replace("style-src 'self'", "style-src 'self' https://cdn.jsdelivr.net")
  // The CDN bundle is not patched: its footer logo comes from cdn.redoc.ly.
  .replace("img-src 'self' data: blob:", "img-src 'self' data: blob: https://cdn.redoc.ly");

export function docsRoutes(mode: "local" | "cdn" = "local") {
  const app = new Hono();
  const url = (name: string) => (mode === "cdn" ? cdn[name]! : `/docs/assets/${name}`);
  const csp = mode === "cdn" ? CSP_CDN : CSP_LOCAL;
  const require = createRequire(import.meta.url);
  const loaded = new Map<string, Promise<Buffer>>();

  app.get("/docs", (c) => {
    c.header("Content-Security-Policy", csp);
    return c.html(
      page(
        "JONQUILS API — Swagger UI",
        `<link rel="stylesheet" href="${url("swagger-ui.css")}">`,
        `<div id="swagger-ui"></div><script src="${url("swagger-ui-bundle.js")}"></script><script src="/docs/assets/init.js"></script>`,
      ),
    );
  });

  app.get("/redoc", (c) => {
    c.header("Content-Security-Policy", csp);
    return c.html(
      page(
        "JONQUILS API — ReDoc",
        "",
        `<redoc spec-url="/openapi.json"></redoc><script src="${url("redoc.standalone.js")}"></script>`,
      ),
    );
  });

  app.get("/docs/assets/init.js", (c) =>
    c.body(initScript, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=3600",
    }),
  );

  app.get("/docs/assets/:name", async (c) => {
    const asset = assets[c.req.param("name")];
    if (!asset || mode === "cdn") return c.notFound();
    const name = c.req.param("name");
    let body = loaded.get(name);
    if (!body) {
      body = readFile(join(dirname(require.resolve(`${asset.pkg}/package.json`)), asset.file)).then(
        (b) => (name === "redoc.standalone.js" ? patchRedoc(b) : b),
      );
      loaded.set(name, body);
    }
    return c.body(new Uint8Array(await body), 200, {
      "Content-Type": `${asset.type}; charset=utf-8`,
      "Cache-Control": "public, max-age=86400",
    });
  });

  return app;
}
