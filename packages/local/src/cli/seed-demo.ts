import { join } from "node:path";
import { loadConfigOrExit } from "../config";
import { attachDemoAudio } from "../demo-audio";
import { seedDemoIfEmpty } from "../seed-demo";
import { createLocalRuntime } from "../wiring";

// `npm run seed:demo`: loads the demo catalog into an empty database.
const config = loadConfigOrExit();
const runtime = await createLocalRuntime({ ...config, LOG_LEVEL: "warn" });
try {
  const accounts = await seedDemoIfEmpty(runtime);
  if (!accounts) {
    process.stdout.write("The database already has users; demo catalog not loaded.\n");
  } else {
    process.stdout.write(
      `Demo catalog loaded. Accounts (also in ${join(config.DATA_DIR, "demo-accounts.json")}):\n`,
    );
    for (const a of accounts)
      process.stdout.write(`  ${a.role.padEnd(7)} ${a.username.padEnd(10)} ${a.password}\n`);
  }
  const clips = await attachDemoAudio(runtime);
  if (clips > 0)
    process.stdout.write(`Playable 30-second clips attached to ${clips} demo tracks.\n`);
} finally {
  await runtime.close();
}
