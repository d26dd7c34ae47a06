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

const page = (title: string, head: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>${head}</head><body>${body}</body></html>`;

const CSP_LOCAL =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; font-src 'self' data: https://fonts.gstatic.com; img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'";
const CSP_CDN = CSP_LOCAL.replace(
  "script-src 'self'",
  "script-src 'self' https://cdn.jsdelivr.net",
).replace("style-src 'self'", "style-src 'self' https://cdn.jsdelivr.net");

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
      body = readFile(join(dirname(require.resolve(`${asset.pkg}/package.json`)), asset.file));
      loaded.set(name, body);
    }
    return c.body(new Uint8Array(await body), 200, {
      "Content-Type": `${asset.type}; charset=utf-8`,
      "Cache-Control": "public, max-age=86400",
    });
  });

  return app;
}
