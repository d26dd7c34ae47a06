import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerMalformedRequests } from "./client-errors";

/** Sends raw bytes as they are (no client library would send them unencoded) and reads the answer. */
function rawRequest(port: number, request: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.on("error", reject);
    socket.write(request);
  });
}

describe("requests Node's HTTP parser refuses", () => {
  let port = 0;
  let close: () => void = () => {};
  beforeAll(async () => {
    const app = new Hono().get("/api/v1/search/tracks", (c) => c.json({ q: c.req.query("q") }));
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    answerMalformedRequests(server);
    await new Promise<void>((r) => server.once("listening", () => r()));
    port = (server.address() as AddressInfo).port;
    close = () => server.close();
  });
  afterAll(() => close());

  it("answers raw UTF-8 in the query (curl without --data-urlencode) with a problem+json that says what to do", async () => {
    const answer = await rawRequest(
      port,
      Buffer.from("GET /api/v1/search/tracks?q=елка HTTP/1.1\r\nHost: x\r\n\r\n", "utf8"),
    );
    const [head, body] = answer.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    const problem = JSON.parse(body ?? "") as { status: number; code: string; detail: string };
    expect(problem).toMatchObject({ status: 400, code: "malformed_request" });
    expect(problem.detail).toContain("--data-urlencode");
  });

  it("still serves the same query percent-encoded", async () => {
    const res = await fetch(
      `http://127.0.0.1:${port}/api/v1/search/tracks?q=${encodeURIComponent("елка")}`,
    );
    expect(await res.json()).toEqual({ q: "елка" });
  });

  it("answers oversized headers with 431 problem+json", async () => {
    const answer = await rawRequest(
      port,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('"code":"headers_too_large"');
  });
});
