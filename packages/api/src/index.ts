export { createApp, type App } from "./app";
export type { ApiDeps, AppEnv, HealthProbe } from "./env";
export { createLambdaHandler } from "./lambda";
