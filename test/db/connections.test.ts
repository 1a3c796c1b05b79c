// The pooled connections to a real Postgres: the hot-path statements are prepared by name
// (test/messages/accepted-write.test.ts checks one text per name), and each execution is
// still planned for its own parameters (Database.execute).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/index.ts";
import { createEmptyDatabase, REAL_POSTGRES } from "../helpers/test-db.ts";

describe.runIf(REAL_POSTGRES)("a Postgres connection of Ticks (runs when TEST_DATABASE_URL is set)", () => {
  let db: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const empty = await createEmptyDatabase();
    drop = empty.drop;
    // The URL's own options still apply.
    const u = new URL(empty.url);
    u.searchParams.set("options", "-c statement_timeout=12345");
    db = await openDatabase({ databaseUrl: u.toString(), dataDir: "unused" });
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it("plans every execution for its parameters and keeps the URL's own options", async () => {
    const rows = await db.withSession((s) => s.query<{ plan: string; timeout: string }>(
      "SELECT current_setting('plan_cache_mode') AS plan, current_setting('statement_timeout') AS timeout",
    ));
    expect(rows).toEqual([{ plan: "force_custom_plan", timeout: "12345ms" }]);
  });
});
