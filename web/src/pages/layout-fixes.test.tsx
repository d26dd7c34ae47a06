// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { AxiosError, AxiosHeaders } from "axios";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorMessage } from "../components/states";
import { safeNext } from "./auth-pages";

afterEach(cleanup);

const httpError = (status: number) =>
  new AxiosError("x", "ERR", undefined, undefined, {
    status,
    statusText: "",
    data: {},
    headers: {},
    config: { headers: new AxiosHeaders() },
  });

describe("?next= after sign-in", () => {
  it("stays on this site and never throws", () => {
    const o = "http://localhost:3000";
    expect(safeNext("/playlists?x=1#y", o)).toBe("/playlists?x=1#y");
    for (const bad of ["/\\example.com", "//example.com", "https://example.com", "/\\/x", null, ""])
      expect(safeNext(bad, o)).toBe("/");
  });
});

describe("Try again", () => {
  it("is offered for a server error or no answer, not for a 404 or refused input", () => {
    const retry = () => undefined;
    const { rerender } = render(<ErrorMessage error={httpError(503)} retry={retry} />);
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
    for (const status of [404, 400, 422, 415]) {
      rerender(<ErrorMessage error={httpError(status)} retry={retry} />);
      expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
    }
  });
});
