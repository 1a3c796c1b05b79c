// npm run migration:diff — prints the SQL of the next migration: what takes a database
// with every committed migration applied to what schema.prisma describes. DATABASE_URL
// must name a scratch Postgres database (it gets the committed migrations applied).
import { openDatabase } from "../src/db/index.ts";
import { engineAdapter, schemaEngine } from "./schema-engine.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("Set DATABASE_URL to a scratch Postgres database.");
  process.exit(1);
}
const db = await openDatabase({ databaseUrl: url, dataDir: "unused" });
await db.close();
const engine = await schemaEngine(engineAdapter(url));
process.stdout.write(await engine.sqlFromDatabase());
process.exit(0);
