import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { engineAdapter, schemaEngine } from "../../scripts/schema-engine.ts";
import { DataDirLockedError, openDatabase } from "../../src/db/index.ts";
import { migrate, readMigrations } from "../../src/db/migrate.ts";
import { createEmptyDatabase, REAL_POSTGRES } from "../helpers/test-db.ts";

describe.runIf(REAL_POSTGRES)("when the committed migrations are applied to an empty Postgres (runs when TEST_DATABASE_URL is set)", () => {
  it("then the database is exactly what schema.prisma describes (Prisma's schema engine finds no difference)", async () => {
    const empty = await createEmptyDatabase();
    try {
      const db = await openDatabase({ databaseUrl: empty.url, dataDir: "unused" });
      await db.close();
      const engine = await schemaEngine(engineAdapter(empty.url));
      expect(await engine.sqlFromDatabase()).toBe("-- This is an empty migration.\n");

      // The same check sees drift: it can fail.
      const c = new pg.Client({ connectionString: empty.url });
      await c.connect();
      await c.query(`ALTER TABLE messages DROP COLUMN contact_name`);
      await c.end();
      expect(await engine.sqlFromDatabase()).toMatch(/ADD COLUMN\s+"contact_name"/);
    } finally {
      await empty.drop();
    }
  });

  it("then they are recorded in _prisma_migrations as Prisma records them, and a second run applies nothing", async () => {
    const empty = await createEmptyDatabase();
    const c = new pg.Client({ connectionString: empty.url });
    await c.connect();
    try {
      const session = { exec: async (s: string) => void (await c.query(s)), query: async <T>(s: string, p?: unknown[]) => (await c.query(s, p)).rows as T[] };
      const migrations = await readMigrations();
      expect(await migrate(session)).toEqual(migrations.map((m) => m.name));
      expect(await migrate(session)).toEqual([]);
      const rows = (await c.query(`SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`)).rows;
      expect(rows).toEqual(migrations.map((m) => ({ migration_name: m.name, checksum: m.checksum, finished_at: expect.any(Date), applied_steps_count: 1 })));
    } finally {
      await c.end();
      await empty.drop();
    }
  });
});

describe("when Ticks runs on the embedded database", () => {
  it("then migrations apply on it and a second process on the same DATA_DIR is refused", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ticks-datadir-"));
    const dataDir = path.join(dir, "nested", "data"); // parents that do not exist yet
    try {
      const first = await openDatabase({ dataDir });
      try {
        const tables = await first.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM information_schema.tables WHERE table_name IN ('messages','status_events','read_receipts','unprocessed_webhook_items','_prisma_migrations')`;
        expect(Number(tables[0]!.n)).toBe(5);
        await expect(openDatabase({ dataDir })).rejects.toBeInstanceOf(DataDirLockedError);
      } finally {
        await first.close();
      }
      const again = await openDatabase({ dataDir }); // released on close: a restart works
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
