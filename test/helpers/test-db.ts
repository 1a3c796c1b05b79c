// A database of the test file's own, migrated with Ticks' own runner: a fresh database
// on the real Postgres named by TEST_DATABASE_URL, or an in-memory embedded one (PGlite)
// when it is unset. Runs never share a database, so they never collide.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../../src/db/index.ts";

export const REAL_POSTGRES = process.env.TEST_DATABASE_URL;

export interface TestDatabase {
  db: Database;
  /** The URL of this file's own database (real Postgres only). */
  url?: string;
  drop(): Promise<void>;
}

export function withDatabase(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates an empty database on the real server; returns its URL and a drop function. */
export async function createEmptyDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  if (!REAL_POSTGRES) throw new Error("TEST_DATABASE_URL is not set");
  const name = `ticks_test_${Date.now()}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: REAL_POSTGRES });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    url: withDatabase(REAL_POSTGRES, name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: REAL_POSTGRES });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function createTestDatabase(opts: { databaseUrl?: string } = {}): Promise<TestDatabase> {
  if (!REAL_POSTGRES) {
    const db = await openDatabase({ dataDir: "memory://" });
    return { db, drop: () => db.close() };
  }
  const empty = await createEmptyDatabase();
  const db = await openDatabase({ databaseUrl: opts.databaseUrl ?? empty.url, dataDir: "unused" });
  return {
    db,
    url: empty.url,
    async drop() {
      await db.close();
      await empty.drop();
    },
  };
}
