/**
 * The API's origin. index.html carries it in a meta tag: VITE_API_URL at build time
 * (CloudFront), rewritten by the local web server to the API it runs beside.
 */
export function readApiUrl(doc: Document = document): string {
  const meta = doc.querySelector<HTMLMetaElement>('meta[name="jonquils-api-url"]')?.content;
  const fromMeta = meta && !meta.startsWith("%") ? meta : undefined;
  const fromBuild = import.meta.env["VITE_API_URL"] as string | undefined;
  return (fromMeta ?? fromBuild ?? "http://localhost:8000").replace(/\/+$/, "");
}

export const API_URL = readApiUrl();
