import { expect } from "vitest";
import type { TestResponse } from "@jonquils/local/testing/harness";

/** Asserts an RFC 9457 problem+json response with the given status (and code, when given). */
export function expectProblem(res: TestResponse, status: number, code?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const body = res.body as Record<string, unknown>;
  expect(body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
    code: expect.any(String),
  });
  expect(body["type"]).toBe(`https://jonquils.dev/problems/${body["code"] as string}`);
  expect((body["detail"] as string).length).toBeGreaterThan(0);
  if (code) expect(body["code"]).toBe(code);
  return body;
}

/** A 400 validation problem whose `errors` name the given field. */
export function expectFieldError(res: TestResponse, field: string) {
  const body = expectProblem(res, 400, "validation_failed");
  const errors = body["errors"] as { path: string; message: string }[];
  expect(Array.isArray(errors)).toBe(true);
  expect(errors.map((e) => e.path)).toContain(field);
  for (const e of errors) expect(e.message).toEqual(expect.any(String));
}
