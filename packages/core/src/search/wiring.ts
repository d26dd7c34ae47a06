import type { Config } from "../config";
import type { Db } from "../db/types";
import type { Logger } from "../logger";
import { createOpenSearchIndex, openSearchAuth } from "./opensearch";
import type { SearchIndex } from "./port";
import { createPostgresSearchIndex } from "./postgres";

/**
 * OPENSEARCH_URL → OpenSearch (SigV4-signed for an Amazon endpoint or OPENSEARCH_AUTH=aws-sigv4);
 * otherwise the embedded index on the catalog database.
 */
export function createSearchIndexFromConfig(config: Config, db: Db, log: Logger): SearchIndex {
  if (config.OPENSEARCH_URL)
    return createOpenSearchIndex({
      node: config.OPENSEARCH_URL,
      indexPrefix: config.OPENSEARCH_INDEX_PREFIX,
      log,
      auth: openSearchAuth(config.OPENSEARCH_URL, config.OPENSEARCH_AUTH, config.AWS_REGION),
    });
  return createPostgresSearchIndex(db);
}
