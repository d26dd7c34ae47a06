import { reindexFromCatalog } from "@jonquils/core/search/reindex";
import { countCatalogDocuments } from "@jonquils/core/search/documents";
import { parseArgs } from "node:util";
import { loadConfigOrExit } from "../config";
import { createLocalRuntime } from "../wiring";

/**
 * `npm run search:reindex [-- --batch 1000]`: rebuilds the search index from the catalog
 * database — the embedded index (in place: searches keep answering), or OpenSearch when
 * OPENSEARCH_URL is set (new indices, then every alias swapped in one request).
 */
const { values } = parseArgs({
  options: { batch: { type: "string", default: "1000" }, help: { type: "boolean", short: "h" } },
});
if (values.help) {
  process.stdout.write("npm run search:reindex -- [--batch 1000]\n");
  process.exit(0);
}
const batchSize = Number(values.batch);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
  process.stderr.write(`--batch must be an integer from 1 to 10000 (got ${values.batch})\n`);
  process.exit(2);
}

const config = loadConfigOrExit();
const runtime = await createLocalRuntime({ ...config, LOG_LEVEL: "warn", SEED_DEMO: false });
try {
  const { db, search } = runtime.ports;
  const total = await countCatalogDocuments(db);
  process.stdout.write(
    `Reindexing ${total} documents (tracks, artists, albums, public playlists) into ${search.kind}…\n`,
  );
  let last = 0;
  let lastKind = "";
  const { indexed, ms } = await reindexFromCatalog(runtime.ports, {
    batchSize,
    onProgress: (p) => {
      const now = Date.now();
      if (p.kind === lastKind && now - last < 1000) return;
      last = now;
      lastKind = p.kind;
      process.stdout.write(`  ${p.kind.padEnd(8)} ${p.indexed}\n`);
    },
  });
  process.stdout.write(
    `Done: ${indexed} documents in ${(ms / 1000).toFixed(1)} s; the index now holds ${await search.count()}.\n`,
  );
} finally {
  await runtime.close();
}
