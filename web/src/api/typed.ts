/**
 * Requests typed by the API's own OpenAPI document (`schema.gen.ts`, generated from
 * /openapi.json): the path, its parameters, the body and the answer all come from it, so a
 * renamed field or a removed route fails `npm run typecheck` instead of a page at run time.
 * Requests go through the app's axios instance (session, refresh on 401, problem+json).
 */
import type { AxiosRequestConfig } from "axios";
import { http } from "./client";
import type { components, paths } from "./schema.gen";

export type Schemas = components["schemas"];
type Method = "get" | "post" | "put" | "patch" | "delete";

/** The paths that answer `method`. */
export type PathWith<M extends Method> = {
  [P in keyof paths]: [paths[P][M]] extends [undefined] ? never : P;
}[keyof paths];

type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;

/** The JSON of the success answer (200 or 201); void for 204. */
export type Ok<P extends keyof paths, M extends Method> =
  Op<P, M> extends { responses: infer R }
    ? R extends { 200: infer A }
      ? JsonOf<A>
      : R extends { 201: infer A }
        ? JsonOf<A>
        : void
    : never;

type ParamsOf<O> = O extends { parameters: infer X } ? X : never;
type PathParams<O> = ParamsOf<O> extends { path: infer X } ? X : never;
type QueryParams<O> = ParamsOf<O> extends { query?: infer X } ? X : never;
type BodyOf<O> = O extends { requestBody?: infer R }
  ? [NonNullable<R>] extends [never]
    ? never
    : NonNullable<R> extends { content: { "application/json": infer B } }
      ? B
      : never
  : never;

/** Path parameters when the route has any, a query when it takes one, a body when it reads one. */
export type Options<P extends keyof paths, M extends Method> = ([PathParams<Op<P, M>>] extends [
  never,
]
  ? { path?: undefined }
  : { path: PathParams<Op<P, M>> }) &
  ([QueryParams<Op<P, M>>] extends [undefined]
    ? { query?: undefined }
    : { query?: QueryParams<Op<P, M>> }) &
  ([BodyOf<Op<P, M>>] extends [never] ? { body?: undefined } : { body: BodyOf<Op<P, M>> }) & {
    config?: AxiosRequestConfig;
  };

/** `/api/v1/tracks/{id}` with `{id: "…"}` → `/api/v1/tracks/…` (each value URL-encoded). */
export function fillPath(
  path: string,
  params: Record<string, string | number | undefined> = {},
): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}

const dropEmpty = (query: object | undefined) =>
  query &&
  Object.fromEntries(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""),
  );

async function call<M extends Method, P extends PathWith<M>>(
  method: M,
  path: P,
  options: Options<P, M> | undefined,
): Promise<Ok<P, M>> {
  const o = (options ?? {}) as {
    path?: Record<string, string | number | undefined>;
    query?: object;
    body?: unknown;
    config?: AxiosRequestConfig;
  };
  const res = await http.request<Ok<P, M>>({
    ...o.config,
    method,
    url: fillPath(path, o.path),
    params: dropEmpty(o.query),
    data: o.body,
  });
  return res.data;
}

type Args<P extends keyof paths, M extends Method> =
  object extends Options<P, M> ? [options?: Options<P, M>] : [options: Options<P, M>];

export const api = {
  get: <P extends PathWith<"get">>(path: P, ...[o]: Args<P, "get">) => call("get", path, o),
  post: <P extends PathWith<"post">>(path: P, ...[o]: Args<P, "post">) => call("post", path, o),
  put: <P extends PathWith<"put">>(path: P, ...[o]: Args<P, "put">) => call("put", path, o),
  patch: <P extends PathWith<"patch">>(path: P, ...[o]: Args<P, "patch">) => call("patch", path, o),
  delete: <P extends PathWith<"delete">>(path: P, ...[o]: Args<P, "delete">) =>
    call("delete", path, o),
};
