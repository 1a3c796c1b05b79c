// Bounded work: while the database is stuck (a lock held by another session), sends and
// webhooks past the queue's cap answer 503 at once instead of queueing without bound; the
// ones admitted before complete once the database moves again.
import pg from "pg";
import type { Response } from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { REAL_POSTGRES } from "../helpers/test-db.ts";
import { postWebhook, status, statusesPayload } from "../helpers/webhooks.ts";
import { until } from "../helpers/wait.ts";

const CAP = 10;
const FIRED = 40;
// Past the cap of waiting items, and the (at most two) batches being written.
const REFUSED_AT_LEAST = FIRED - CAP - 2;

/** Fires every request at once; `settled` fills as answers come back. */
function fire(n: number, request: (i: number) => PromiseLike<Response>) {
  const settled: Response[] = [];
  const all = Promise.all(Array.from({ length: n }, (_, i) => Promise.resolve(request(i)).then((r) => (settled.push(r), r))));
  return { settled, all };
}

// A second session that blocks writes needs a real server (the embedded database has one session).
describe.runIf(REAL_POSTGRES)("when writes pile up behind a stuck database (a second session: runs when TEST_DATABASE_URL is set)", () => {
  let t: TestApp;
  let locker: pg.Client;
  beforeAll(async () => {
    t = await startTestApp({ maxQueuedWrites: CAP });
    locker = new pg.Client({ connectionString: t.testDb.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker.end().catch(() => undefined);
    await t.close();
  });

  it("then sends past the cap get 503 in Meta's shape at once, nothing is sent for them, and the admitted ones complete", async () => {
    const phone = phoneNumberId();
    const before = t.emulator.requests.length;
    await locker.query("BEGIN; LOCK TABLE messages IN EXCLUSIVE MODE");
    const sends = fire(FIRED, () => t.http.post(`/${phone}/messages`).set(auth).send({ messaging_product: "whatsapp", to: waId(), type: "text", text: { body: "hi" } }));
    // The refused ones answer while the admitted ones are still stuck behind the lock.
    await until(() => sends.settled.length >= REFUSED_AT_LEAST);
    expect(sends.settled.every((r) => r.status === 503)).toBe(true);
    expect(sends.settled[0]!.body.error).toMatchObject({ code: 2, error_data: { details: expect.stringContaining("busy") } });
    expect(sends.settled.some((r) => r.headers["x-ticks-message-id"])).toBe(false);
    await locker.query("COMMIT");
    const answers = await sends.all;
    const ok = answers.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.length).toBeLessThanOrEqual(FIRED - REFUSED_AT_LEAST);
    expect(answers.length - ok.length).toBe(answers.filter((r) => r.status === 503).length);
    expect(t.emulator.requests.length - before).toBe(ok.length); // refused sends were never made
  });

  it("then webhooks past the cap get 503 (Meta retries them), and the retries are applied", async () => {
    const phone = phoneNumberId();
    const wamid = (i: number) => `wamid.cap${phone}.${i}`;
    const body = (i: number) => statusesPayload(phone, [status({ wamid: wamid(i), status: "sent", at: 1_750_000_000 })]);
    await locker.query("BEGIN; LOCK TABLE messages IN EXCLUSIVE MODE");
    const posts = fire(FIRED, (i) => postWebhook(t, body(i)));
    await until(() => posts.settled.length >= REFUSED_AT_LEAST);
    expect(posts.settled.every((r) => r.status === 503)).toBe(true);
    await locker.query("COMMIT");
    const answers = await posts.all;
    const refused = answers.map((r, i) => (r.status === 503 ? i : -1)).filter((i) => i >= 0);
    expect(refused.length).toBeGreaterThanOrEqual(REFUSED_AT_LEAST);
    for (const i of refused) expect((await postWebhook(t, body(i))).status).toBe(200); // Meta's retries
    expect(await t.db.prisma.message.count({ where: { wamid: { startsWith: `wamid.cap${phone}.` } } })).toBe(FIRED);
  });
});
