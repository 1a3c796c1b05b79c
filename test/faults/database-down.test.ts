// The database goes away mid-run (a real cut of the TCP connection to Postgres): sends
// and webhooks answer 503, nothing is sent or lost, the process stays up, and Meta's
// retry of the webhook applies once the database is back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/index.ts";
import { auth, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { startProxy, type CuttableProxy } from "../helpers/tcp-proxy.ts";
import { createEmptyDatabase, REAL_POSTGRES } from "../helpers/test-db.ts";
import { postWebhook, status, statusesPayload } from "../helpers/webhooks.ts";
import { until } from "../helpers/wait.ts";

describe.runIf(REAL_POSTGRES)("when the database is cut mid-run (a TCP cut: runs when TEST_DATABASE_URL is set)", () => {
  let t: TestApp;
  let proxy: CuttableProxy;
  let dropDb: () => Promise<void>;

  beforeAll(async () => {
    const empty = await createEmptyDatabase();
    dropDb = empty.drop;
    const target = new URL(empty.url);
    proxy = await startProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(empty.url);
    viaProxy.port = String(proxy.port);
    const db = await openDatabase({ databaseUrl: viaProxy.toString(), dataDir: "unused" });
    t = await startTestApp({ testDb: { db, drop: async () => undefined } });
  });
  afterAll(async () => {
    await t.close();
    await t.db.close();
    await proxy.close();
    await dropDb();
  });

  it("then a send answers 503 in Meta's shape and nothing reaches Meta", async () => {
    proxy.cut();
    try {
      const res = await t.http.post("/106540352242922/messages").set(auth).send({ messaging_product: "whatsapp", to: waId(), type: "text", text: { body: "hi" } });
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 2, message: expect.stringContaining("temporarily unavailable") });
      expect(res.headers["x-ticks-message-id"]).toBeUndefined();
      expect(t.emulator.requests).toHaveLength(0);
      expect((await t.http.get("/readyz")).status).toBe(503);
      const query = await t.http.get("/api/messages").set(auth);
      expect(query.status).toBe(503);
      expect(query.body.error.code).toBe("unavailable");
      expect((await t.http.get("/healthz")).status).toBe(200);
    } finally {
      proxy.restore();
    }
  });

  it("then a webhook answers 503, and Meta's retry applies once the database is back", async () => {
    const wamid = `wamid.down${Date.now()}`;
    const payload = statusesPayload("106540352242922", [status({ wamid, status: "delivered", at: 1_750_000_000 })]);
    proxy.cut();
    try {
      const res = await postWebhook(t, payload);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("unavailable");
    } finally {
      proxy.restore();
    }
    expect((await postWebhook(t, payload)).status).toBe(200);
    expect(await t.db.prisma.message.findUnique({ where: { wamid } })).toMatchObject({ status: "delivered" });
    expect(await t.db.prisma.statusEvent.count({ where: { wamid } })).toBe(1);
  });

  it("then a short outage between Meta's answer and storing it loses nothing: the wamid is stored once it is back", async () => {
    const wamid = `wamid.blip${Date.now()}`;
    t.emulator.enqueue({ status: 200, delayMs: 300, body: { messaging_product: "whatsapp", contacts: [{ input: "16505551234", wa_id: "16505551234" }], messages: [{ id: wamid }] } });
    const forwarded = t.emulator.requests.length;
    const sending = t.http.post("/106540352242922/messages").set(auth).send({ messaging_product: "whatsapp", to: "16505551234", type: "text", text: { body: "hi" } }).then((r) => r);
    await until(() => t.emulator.requests.length > forwarded); // stored as pending, now waiting for Meta
    proxy.cut();
    const refusedBefore = proxy.refused;
    await until(() => proxy.refused > refusedBefore); // Meta answered, and Ticks tried to store it: refused
    proxy.restore();
    const res = await sending;
    expect(res.status).toBe(200);
    expect(res.body.messages[0].id).toBe(wamid);
    expect(await t.db.prisma.message.findUnique({ where: { id: res.headers["x-ticks-message-id"] } })).toMatchObject({ wamid, status: "accepted" });
  });

  it("then a long outage after Meta's answer still keeps the wamid: the caller is answered, the write lands when the database is back", async () => {
    const wamid = `wamid.long${Date.now()}`;
    t.emulator.enqueue({ status: 200, delayMs: 300, body: { messaging_product: "whatsapp", contacts: [{ input: "16505551234", wa_id: "16505551234" }], messages: [{ id: wamid }] } });
    const forwarded = t.emulator.requests.length;
    const sending = t.http.post("/106540352242922/messages").set(auth).send({ messaging_product: "whatsapp", to: "16505551234", type: "text", text: { body: "hi" } }).then((r) => r);
    await until(() => t.emulator.requests.length > forwarded); // stored as pending, now waiting for Meta
    proxy.cut();
    const res = await sending; // answered while the database is still down: the write went to the background
    expect(res.status).toBe(200);
    expect(res.body.messages[0].id).toBe(wamid);
    proxy.restore();
    const id = String(res.headers["x-ticks-message-id"]);
    const row = await until(() => t.db.prisma.message.findUnique({ where: { id } }).catch(() => null), (m) => m?.wamid === wamid, 45_000);
    expect(row).toMatchObject({ wamid, status: "accepted" });
    expect(await t.db.prisma.statusEvent.count({ where: { wamid, status: "accepted" } })).toBe(1);
  }, 60_000);

  it("then shutting down while it is still down waits a bounded time for late writes, then stops", async () => {
    const other = await startTestApp({ testDb: { db: t.db, drop: async () => undefined } });
    try {
      other.emulator.enqueue({ status: 200, delayMs: 300, body: { messaging_product: "whatsapp", contacts: [{ input: "1", wa_id: "1" }], messages: [{ id: `wamid.drain${Date.now()}` }] } });
      const forwarded = other.emulator.requests.length;
      const sending = other.http.post("/106540352242922/messages").set(auth).send({ messaging_product: "whatsapp", to: "16505551234", type: "text", text: { body: "hi" } }).then((r) => r);
      await until(() => other.emulator.requests.length > forwarded); // stored as pending, now waiting for Meta
      proxy.cut();
      expect((await sending).status).toBe(200); // Meta's answer, its write now in the background
      const started = Date.now();
      await other.app.drain();
      expect(Date.now() - started).toBeLessThan(8_000); // 5 s of grace, then stopped
    } finally {
      proxy.restore();
      await other.close();
    }
  }, 30_000);

  it("then sends work again once it is back", async () => {
    const res = await t.http.post("/106540352242922/messages").set(auth).send({ messaging_product: "whatsapp", to: waId(), type: "text", text: { body: "hi" } });
    expect(res.status).toBe(200);
    expect((await t.http.get("/readyz")).status).toBe(200);
  });
});
