// Applies prisma/migrations/*/migration.sql in order and records each in
// `_prisma_migrations` exactly as Prisma Migrate does (same table, same sha256 checksum),
// so that `prisma migrate deploy` agrees with this runner wherever Prisma's native schema
// engine is available. It is not available on every machine (it is a download), which is
// why Ticks applies its own migrations at start and in `npm run migrate`.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The few raw-driver calls migrations need (multi-statement SQL is not possible through Prisma). */
export interface SqlSession {
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

// Prisma Migrate's own lock key: a `prisma migrate deploy` running at the same time waits too.
const ADVISORY_LOCK_KEY = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

/** Applies every migration not yet recorded; returns the names it applied. */
export async function migrate(session: SqlSession, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  // No statement deadline while migrating: an index on a large table, or waiting for another
  // process's migrations (the advisory lock), may take longer than any request should. The
  // session's own deadline is put back afterwards (it is a pooled connection).
  const [{ statement_timeout: deadline }] = await session.query<{ statement_timeout: string }>("SHOW statement_timeout") as [{ statement_timeout: string }];
  await session.exec("SET statement_timeout = 0");
  try {
    return await migrateLocked(session, migrations);
  } finally {
    await session.query("SELECT set_config('statement_timeout', $1, false)", [deadline]);
  }
}

async function migrateLocked(session: SqlSession, migrations: Migration[]): Promise<string[]> {
  await session.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
  try {
    await session.exec(CREATE_TABLE);
    const rows = await session.query<{ migration_name: string; finished_at: Date | null }>(
      `SELECT migration_name, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const broken = rows.find((r) => r.finished_at === null);
    if (broken) {
      throw new Error(
        `Migration ${broken.migration_name} failed earlier and was left half-applied; fix the database and mark it rolled back (prisma migrate resolve) before starting again.`,
      );
    }
    const done = new Set(rows.map((r) => r.migration_name));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      await session.exec("BEGIN");
      try {
        await session.exec(m.sql);
        await session.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await session.exec("COMMIT");
      } catch (err) {
        await session.exec("ROLLBACK");
        throw new Error(`Migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await session.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]);
  }
}
