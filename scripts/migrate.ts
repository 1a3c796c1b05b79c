// npm run migrate: applies prisma/migrations to DATABASE_URL, or to the embedded
// database under DATA_DIR when it is unset (the same runner Ticks uses at start).
import "dotenv/config";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/index.ts";
import { migrate } from "../src/db/migrate.ts";

const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, migrate: false });
try {
  const applied = await db.withSession((s) => migrate(s));
  console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Nothing to apply: the database is up to date.");
} finally {
  await db.close();
}
