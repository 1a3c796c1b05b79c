// The embedded database (PGlite) goes away under a running app (it was closed): sends answer
// 503 in Meta's shape and nothing reaches Meta; the query API and /readyz answer 503.
// (The real-Postgres equivalent, with a TCP cut and recovery, is database-down.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/index.ts";
import { auth, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { REAL_POSTGRES } from "../helpers/test-db.ts";

describe.skipIf(REAL_POSTGRES)("when the embedded database is closed under a running app (embedded only: runs when TEST_DATABASE_URL is unset)", () => {
  let t: TestApp;
  beforeAll(async () => {
    const db = await openDatabase({ dataDir: "memory://" });
    t = await startTestApp({ testDb: { db, drop: async () => undefined } });
    const ok = await t.http.post("/106540352242922/messages").set(auth).send({ messaging_product: "whatsapp", to: waId(), type: "text", text: { body: "before" } });
    expect(ok.status).toBe(200);
    await db.close();
    t.emulator.reset();
  });
  afterAll(() => t.close());

  it("then a send answers 503 in Meta's shape and nothing reaches Meta", async () => {
    const res = await t.http.post("/106540352242922/messages").set(auth).send({ messaging_product: "whatsapp", to: waId(), type: "text", text: { body: "hi" } });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 2, type: "OAuthException" });
    expect(res.headers["x-ticks-message-id"]).toBeUndefined();
    expect(t.emulator.requests).toHaveLength(0);
  });

  it("then the query API and /readyz answer 503", async () => {
    expect((await t.http.get("/api/messages").set(auth)).status).toBe(503);
    expect((await t.http.get("/readyz")).status).toBe(503);
  });
});
