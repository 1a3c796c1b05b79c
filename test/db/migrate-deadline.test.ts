// Migrations run without the statement deadline (an index on a large table, or waiting for
// another process's migrations, may take longer), and the pooled connection gets its own
// deadline back afterwards.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/index.ts";
import { migrate } from "../../src/db/migrate.ts";
import { createEmptyDatabase, REAL_POSTGRES } from "../helpers/test-db.ts";

describe.runIf(REAL_POSTGRES)("when a migration takes longer than STATEMENT_TIMEOUT_MS (runs when TEST_DATABASE_URL is set)", () => {
  it("then it still applies, and the session's deadline is back afterwards", async () => {
    const empty = await createEmptyDatabase();
    const dir = await mkdtemp(path.join(os.tmpdir(), "ticks-slow-migration-"));
    const db = await openDatabase({ databaseUrl: empty.url, dataDir: "unused", statementTimeoutMs: 200 });
    try {
      await mkdir(path.join(dir, "20990101000000_slow"));
      await writeFile(path.join(dir, "20990101000000_slow", "migration.sql"), "SELECT pg_sleep(0.5);");
      const deadlines = await db.withSession(async (s) => {
        const applied = await migrate(s, dir);
        const [{ statement_timeout }] = (await s.query<{ statement_timeout: string }>("SHOW statement_timeout")) as [{ statement_timeout: string }];
        return { applied, statement_timeout };
      });
      expect(deadlines).toEqual({ applied: ["20990101000000_slow"], statement_timeout: "200ms" });
      // And outside migrations the deadline holds: a statement past it is cut short.
      await expect(db.withSession((s) => s.query("SELECT pg_sleep(0.5)"))).rejects.toMatchObject({ code: "57014" });
    } finally {
      await db.close();
      await empty.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
