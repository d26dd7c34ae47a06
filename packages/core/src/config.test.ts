import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

describe("configuration", () => {
  it("starts with no variables at all (the embedded wiring)", () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.PORT).toBe(8000);
    expect(config.ACCESS_TOKEN_TTL_SECONDS).toBe(900);
    expect(config.REFRESH_TOKEN_TTL_DAYS).toBe(30);
  });

  it("names every bad variable in one error", () => {
    let caught: unknown;
    try {
      loadConfig({
        DATABASE_URL: "mysql://x",
        PORT: "eighty",
        JWT_SECRET: "short",
        CORS_ORIGINS: "not a url",
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as Error).message;
    for (const name of ["DATABASE_URL", "PORT", "JWT_SECRET", "CORS_ORIGINS"])
      expect(message).toContain(name);
  });

  it("treats empty strings as unset and parses lists and booleans", () => {
    const config = loadConfig({
      DATABASE_URL: "",
      CORS_ORIGINS: "https://a.example, https://b.example",
      RATE_LIMIT_ENABLED: "false",
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.CORS_ORIGINS).toEqual(["https://a.example", "https://b.example"]);
    expect(config.RATE_LIMIT_ENABLED).toBe(false);
  });
});
