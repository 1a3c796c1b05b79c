// Starting and stopping Ticks as an operator does: each failure an operator meets is one
// line naming the problem and the fix, exit code 1, no stack trace; a good start says which
// database it opened and what it migrated; SIGTERM stops it cleanly.
import net from "node:net";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { spawnTicks } from "../helpers/process.ts";
import { createEmptyDatabase, REAL_POSTGRES, withDatabase } from "../helpers/test-db.ts";

async function fails(env: Record<string, string>) {
  const ticks = spawnTicks(env);
  const code = await ticks.exited;
  return { code, stderr: ticks.stderr.filter(Boolean), stdout: ticks.stdout };
}

function expectOneLine(r: { code: number | null; stderr: string[] }, pattern: RegExp) {
  expect(r.code).toBe(1);
  expect(r.stderr).toHaveLength(1);
  expect(r.stderr[0]).toMatch(pattern);
  expect(r.stderr.join("\n")).not.toMatch(/\n\s+at /); // no stack trace
}

describe("when Ticks cannot start", () => {
  it("then a port in use is one line naming the port and the fix", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      expectOneLine(await fails({ PORT: String(port), DATA_DIR: "memory://" }), new RegExp(`Port ${port} is already in use.*set PORT`));
    } finally {
      blocker.close();
    }
  });

  it("then an unreachable database is one line naming it, without its password", async () => {
    const r = await fails({ PORT: "0", DATABASE_URL: "postgresql://ticks:s3cret@127.0.0.1:1/ticks" });
    expectOneLine(r, /Cannot reach postgresql:\/\/ticks@127\.0\.0\.1:1\/ticks: connection refused/);
    expect(r.stderr.join("")).not.toContain("s3cret");
  });

  it("then NODE_ENV=production without WhatsApp credentials refuses to run the sandbox", async () => {
    const r = await fails({ PORT: "0", DATA_DIR: "memory://", NODE_ENV: "production" });
    expect(r.code).toBe(1);
    expect(r.stderr.join("\n")).toMatch(/Invalid configuration:[\s\S]*WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN: missing \(NODE_ENV=production/);
    expect(r.stdout.join("\n")).not.toMatch(/listening/);
  });

  // These need a real server to refuse them; run with TEST_DATABASE_URL set.
  describe.runIf(REAL_POSTGRES)("on a real Postgres (runs when TEST_DATABASE_URL is set)", () => {
    it("then a missing database is one line with the createdb fix", async () => {
      const url = withDatabase(REAL_POSTGRES!, "ticks_no_such_database");
      expectOneLine(await fails({ PORT: "0", DATABASE_URL: url }), /Database "ticks_no_such_database" does not exist .*createdb ticks_no_such_database/);
    });

    it("then an unknown role is one line naming the role", async () => {
      const u = new URL(REAL_POSTGRES!);
      u.username = "ticks_no_such_role";
      expectOneLine(await fails({ PORT: "0", DATABASE_URL: u.toString() }), /refused the login of role "ticks_no_such_role"/);
    });

    it("then a failing migration is one line naming it", async () => {
      const empty = await createEmptyDatabase();
      try {
        const c = new pg.Client({ connectionString: empty.url });
        await c.connect();
        await c.query("CREATE TABLE messages (something int)"); // in the way of the first migration
        await c.end();
        expectOneLine(await fails({ PORT: "0", DATABASE_URL: empty.url }), /Migration \d+_init failed: .*messages.* already exists\. Fix the database/);
      } finally {
        await empty.drop();
      }
    });
  });
});

describe("when Ticks starts and is stopped", () => {
  it("then it says which database it opened and what it migrated, warns that it is the sandbox, and SIGTERM stops it with 0", async () => {
    const ticks = spawnTicks({ PORT: "0", DATA_DIR: "memory://" });
    const ready = await ticks.line(/^database ready/);
    expect(ready).toMatchObject({ database: "the embedded database in memory://", migrationsApplied: expect.arrayContaining([expect.stringMatching(/_init$/)]) });
    expect(await ticks.line(/^SANDBOX/)).toMatchObject({ level: 40 });
    await ticks.line(/^Ticks is listening/);
    ticks.proc.kill("SIGTERM");
    expect(await ticks.exited).toBe(0);
    expect(ticks.stdout.join("\n")).toMatch(/"msg":"stopped"/);
  });
});
