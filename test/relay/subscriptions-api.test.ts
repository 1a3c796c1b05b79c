// The relay's subscriptions API as a caller uses it: bad input refused with the field named,
// secrets shown once, deletion, and deliveries paged newest first.
import { afterAll, afterEach, beforeAll, expect, it, describe } from "vitest";
import { auth, phoneNumberId, startTestApp, type TestApp } from "../helpers/test-app.ts";
import { deliveriesOf, newWamid, receivers, settled as settledOf, subscribe as subscribeTo, type DeliveryView } from "../helpers/relay.ts";
import { postWebhook, status, statusesPayload } from "../helpers/webhooks.ts";
import { until } from "../helpers/wait.ts";

let t: TestApp;
const pool = receivers(); // closed after each test
beforeAll(async () => void (t = await startTestApp({ relay: true })));
afterEach(async () => void (await pool.closeAll()));
afterAll(() => t.close());

const receiver = () => pool.start();
const subscribe = (url: string, body: Record<string, unknown>) => subscribeTo(t, { url, ...body });
const settled = (id: string, n: number) => settledOf(t, id, n);
const deliveries = (id: string) => deliveriesOf(t, id);
const wamid = newWamid;
const statusPost = (phone: string, id: string) => postWebhook(t, statusesPayload(phone, [status({ wamid: id, status: "sent", at: Math.floor(Date.now() / 1000) })]));

describe("the subscriptions API", () => {
  it("then bad input is refused with the field named, and secrets show in full only once", async () => {
    const bad = async (body: Record<string, unknown>, field: string) => {
      const res = await t.http.post("/api/subscriptions").set(auth).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { path: string[] }) => d.path.join("."))).toContain(field);
    };
    await bad({ url: "ftp://example.com/x", format: "meta" }, "url");
    await bad({ url: "javascript:alert(1)", format: "meta" }, "url");
    await bad({ url: "https://example.com/x", format: "xml" }, "format");
    await bad({ url: "https://example.com/x", format: "meta", events: ["message.received"] }, "events");
    await bad({ url: "https://example.com/x", format: "ticks", secret: "my-own-secret" }, "secret");
    await bad({ url: "https://example.com/x", format: "ticks", events: ["message.deleted"] }, "events.0");
    expect((await t.http.post("/api/subscriptions").send({ url: "https://example.com/x", format: "meta" })).status).toBe(401);

    const made = await t.http.post("/api/subscriptions").set(auth).send({ url: "https://example.com/hook", format: "meta", secret: "the-app-secret-of-the-crm-1234", description: "CRM" });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ url: "https://example.com/hook", format: "meta", secret: "the-app-secret-of-the-crm-1234", events: null, phoneNumberIds: null, description: "CRM", source: "api", disabled: false });
    const one = await t.http.get(`/api/subscriptions/${made.body.id}`).set(auth);
    expect(one.body.secret).toBe("…1234");
    const all = await t.http.get("/api/subscriptions").set(auth);
    expect(JSON.stringify(all.body)).not.toContain("the-app-secret");

    expect((await t.http.delete(`/api/subscriptions/${made.body.id}`).set(auth)).status).toBe(204);
    expect((await t.http.get(`/api/subscriptions/${made.body.id}`).set(auth)).status).toBe(404);
    expect((await t.http.delete(`/api/subscriptions/${made.body.id}`).set(auth)).status).toBe(404);
    expect((await t.http.get("/api/subscriptions/not-a-uuid").set(auth)).status).toBe(400);
    expect((await t.http.post("/api/deliveries/123456789/retry").set(auth)).status).toBe(404);
    expect((await t.http.patch(`/api/subscriptions/${one.body.id}`).set(auth).send({ disabled: true })).status).toBe(400);
  });

  /** A `meta` subscription whose receiver is down, and the one delivery queued for it, attempted once. */
  async function queuedWhileDown() {
    const rx = await receiver();
    await rx.down();
    const phone = phoneNumberId();
    const sub = await subscribe(rx.url, { format: "meta", phoneNumberIds: [phone] });
    expect((await statusPost(phone, wamid())).status).toBe(200);
    const [queued] = await until(() => deliveries(sub.id), (x) => x.length === 1 && x[0]!.attempts >= 1);
    return { rx, sub, queued: queued! };
  }

  it("then deleting a subscription drops its pending deliveries, and what they would have sent", async () => {
    const { sub, queued } = await queuedWhileDown();
    const payload = () => t.db.prisma.deliveryPayload.count({ where: { id: BigInt(queued.id) } });
    expect(await payload()).toBe(1);
    expect((await t.http.delete(`/api/subscriptions/${sub.id}`).set(auth)).status).toBe(204);
    expect(await t.db.prisma.delivery.count({ where: { subscriptionId: sub.id } })).toBe(0);
    expect(await payload()).toBe(0);
  });

  it("then a delivery whose payload is missing is never sent empty: its attempt fails and says why", async () => {
    const { rx, sub, queued } = await queuedWhileDown();
    await t.db.prisma.deliveryPayload.delete({ where: { id: BigInt(queued.id) } });
    await rx.up();
    expect((await t.http.post(`/api/deliveries/${queued.id}/retry`).set(auth)).status).toBe(202);
    const [after] = await until(() => deliveries(sub.id), (x) => x[0]!.attempts >= 2);
    expect(after!.lastError).toMatch(/payload is missing/);
    expect(after!.status).toBe("pending");
    expect(rx.all).toHaveLength(0);
  });

  it("then deliveries page newest first", async () => {
    const rx = await receiver();
    const phone = phoneNumberId();
    const sub = await subscribe(rx.url, { format: "meta", phoneNumberIds: [phone] });
    for (let i = 0; i < 3; i++) expect((await statusPost(phone, wamid())).status).toBe(200);
    const all = await settled(sub.id, 3);
    const first = await t.http.get(`/api/subscriptions/${sub.id}/deliveries?limit=2`).set(auth);
    expect(first.body.data.map((d: DeliveryView) => d.id)).toEqual(all.slice(0, 2).map((d) => d.id));
    const second = await t.http.get(`/api/subscriptions/${sub.id}/deliveries?limit=2&cursor=${first.body.nextCursor}`).set(auth);
    expect(second.body).toEqual({ data: [all[2]], nextCursor: null });
    expect(Number(all[0]!.id)).toBeGreaterThan(Number(all[1]!.id));
  });
});
