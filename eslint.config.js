// @ts-check
import drizzle from "eslint-plugin-drizzle";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      ".dependency-cruiser.cjs",
      ".jonquils/**",
      ".sst/**",
      "cdk.out/**",
      "localstack/build/**",
      "**/dist/**",
      "packages/core/migrations/**",
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["eslint.config.js", "packages/local/launch.mjs"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { drizzle },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // Adapters implement async interfaces without always awaiting.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      // A delete or update without a where clause touches every row.
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
    },
  },
  // Boundaries (issue 18 item 6). Import cycles are checked by dependency-cruiser
  // (.dependency-cruiser.cjs, `npm run lint:deps`, part of `npm run lint`).
  {
    // HTTP routes and pipeline steps call domain modules; tables, SQL and storage adapters
    // stay in core (one owner per table). Type-only imports of a table's types are fine.
    files: ["packages/api/src/**/*.ts", "packages/pipeline/src/steps/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@jonquils/core",
              importNames: ["schema", "pgErrorCode"],
              message: "Tables and SQLSTATEs stay in core: call the domain module instead.",
            },
          ],
          patterns: [
            {
              group: ["drizzle-orm", "drizzle-orm/*"],
              message: "Queries belong in the core domain module that owns the table.",
            },
            {
              group: [
                "@jonquils/core/**/*.sql",
                "@jonquils/core/db/postgres",
                "@jonquils/core/db/schema",
                "@jonquils/core/db/sqlstate",
              ],
              allowTypeImports: true,
              message: "Tables belong to their core domain module: call it instead.",
            },
            {
              group: [
                "@jonquils/core/storage/s3*",
                "@jonquils/core/storage/disk*",
                "@jonquils/local",
                "@jonquils/local/*",
                "@aws-sdk/*",
                "postgres",
                "@electric-sql/*",
                "ioredis",
                "@opensearch-project/*",
                "@clickhouse/*",
                "chdb",
              ],
              message:
                "Storage adapters and drivers are chosen by a wiring, not imported by routes or steps.",
            },
          ],
        },
      ],
    },
  },
  {
    // The SPA talks to the API over HTTP only: no server package in the browser bundle.
    files: ["web/src/**/*.ts", "web/src/**/*.tsx"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "@jonquils/*",
                "**/packages/**",
                "**/functions/**",
                "**/stacks/**",
                "drizzle-orm",
                "drizzle-orm/*",
                "postgres",
                "@aws-sdk/*",
                "node:*",
              ],
              message: "web/ is a browser app: it reaches the server over HTTP (web/src/api).",
            },
          ],
        },
      ],
    },
  },
  { files: ["**/*.js"], ...tseslint.configs.disableTypeChecked },
  {
    files: [
      "**/*.test.ts",
      "**/*.test.tsx",
      "packages/local/src/testing/**",
      "packages/local/src/bench/**",
      "packages/*/test/support/**",
    ],
    rules: {
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
);
