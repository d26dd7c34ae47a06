import { defineConfig } from "drizzle-kit";

// Run from the repository root: `npm run db:generate`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./packages/core/src/**/*.sql.ts",
  out: "./packages/core/migrations",
  schemaFilter: ["public", "etl", "staging", "data_warehouse", "monitoring"],
});
