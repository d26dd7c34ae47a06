import { loadConfigOrExit } from "../config";
import { openLocalCatalog } from "../wiring";

// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the local PGlite data.
const config = loadConfigOrExit();
const catalog = await openLocalCatalog(config);
await catalog.close();
process.stdout.write(`migrations applied (${catalog.kind})\n`);
