import { ConfigError, type Config } from "@jonquils/core";
import { processEnv } from "@jonquils/core/config-wirings";

/**
 * Parses the environment with this process's wiring schema (local, or containers when
 * JONQUILS_WIRING=containers) or stops the process with a message naming each bad variable.
 */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return processEnv(env).parse(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee README.md, "Configuration".\n`);
      process.exit(1);
    }
    throw error;
  }
}
