import type { Config } from "../config";
import type { Db } from "../db/types";
import type { Logger } from "../logger";
import { createOpenSearchIndex } from "./opensearch";
import type { SearchIndex } from "./port";
import { createPostgresSearchIndex } from "./postgres";

/** OPENSEARCH_URL → OpenSearch; otherwise the embedded index on the catalog database. */
export function createSearchIndexFromConfig(config: Config, db: Db, log: Logger): SearchIndex {
  if (config.OPENSEARCH_URL)
    return createOpenSearchIndex({
      node: config.OPENSEARCH_URL,
      indexPrefix: config.OPENSEARCH_INDEX_PREFIX,
      log,
    });
  return createPostgresSearchIndex(db);
}
