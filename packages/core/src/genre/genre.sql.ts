import { integer, jsonb, pgTable, serial, text, timestamp, varchar } from "drizzle-orm/pg-core";

export const genres = pgTable("genres", {
  id: serial("id").primaryKey(),
  name: varchar("name", { length: 64 }).notNull().unique(),
  slug: varchar("slug", { length: 64 }).notNull().unique(),
  description: text("description"),
});

/**
 * Trained genre models, newest last. The pipeline predicts with the newest one (or, while
 * there is none, with the model trained on the shipped reference set alone); the aggregate
 * step adds a row when the catalog's tagged tracks have grown meaningfully. Each predicted
 * track stores the `version` it came from.
 */
export const genreModels = pgTable("genre_models", {
  version: varchar("version", { length: 64 }).primaryKey(),
  /** The model's parameters (JSON; the pipeline's GenreModelParams). */
  params: jsonb("params").notNull(),
  /** Examples trained on: all, and those that came from the catalog (the rest are the reference set). */
  examples: integer("examples").notNull(),
  catalogExamples: integer("catalog_examples").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
