import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/**
 * The SPA: `npm run build` writes static files to web/dist (served by the local web server
 * and, in AWS, by CloudFront). VITE_API_URL is the API's origin baked into index.html's
 * `jonquils-api-url` meta tag; the local web server rewrites that tag to its own API.
 */
export default defineConfig(() => {
  process.env["VITE_API_URL"] ??= "http://localhost:8000";
  return {
    root,
    plugins: [react()],
    build: {
      outDir: "dist",
      emptyOutDir: true,
      // No inline scripts or styles: a strict CSP (script-src 'self') holds.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      reportCompressedSize: true,
    },
    server: { port: 3000, strictPort: true },
    preview: { port: 3000, strictPort: true },
  };
});
