import type { Context } from "hono";
import { SubsonicErrors } from "./response";

/**
 * A request's parameters: the query string plus, for form POSTs (the formPost extension),
 * the url-encoded body. Repeated names keep every value (id=1&id=2).
 */
export class Params {
  constructor(private readonly values: Map<string, string[]>) {}

  static async read(c: Context): Promise<Params> {
    const values = new Map<string, string[]>();
    const add = (k: string, v: string) => {
      const list = values.get(k);
      if (list) list.push(v);
      else values.set(k, [v]);
    };
    const url = c.req.url;
    const q = url.indexOf("?");
    if (q >= 0) for (const [k, v] of new URLSearchParams(url.slice(q + 1))) add(k, v);
    if (c.req.method === "POST") {
      const type = c.req.header("content-type") ?? "";
      if (type.startsWith("application/x-www-form-urlencoded")) {
        for (const [k, v] of new URLSearchParams(await c.req.text())) add(k, v);
      }
    }
    return new Params(values);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  get(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  required(name: string): string {
    const v = this.get(name);
    if (v === undefined || v === "") throw SubsonicErrors.missing(name);
    return v;
  }

  int(name: string, fallback: number, min: number, max: number): number;
  int(name: string, fallback: undefined, min: number, max: number): number | undefined;
  int(name: string, fallback: number | undefined, min: number, max: number): number | undefined {
    const raw = this.get(name);
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n))
      throw SubsonicErrors.generic(
        `Parameter ${name} must be a whole number (got "${raw.slice(0, 40)}")`,
      );
    return Math.min(max, Math.max(min, n));
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.get(name);
    if (raw === undefined || raw === "") return fallback;
    return raw === "true" || raw === "1";
  }
}
