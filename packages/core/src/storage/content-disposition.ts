/** RFC 6266 attachment with an ASCII fallback and the UTF-8 name (S3 and the disk store's routes). */
export function contentDisposition(filename: string, type: "inline" | "attachment" = "inline") {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
