// How the relay delivers: retries on the schedule, what counts as a failed attempt, 410,
// per-message order, the in-flight cap, isolation of a slow subscriber, and the API that
// shows and retries deliveries. A real receiver on a loopback port plays the backend.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { auth, phoneNumberId, startTestApp, type TestApp } from "../helpers/test-app.ts";
import { deliveriesOf, newWamid, receivers, settled as settledOf, subscribe as subscribeTo, type DeliveryView } from "../helpers/relay.ts";
import { postWebhook, status, statusesPayload } from "../helpers/webhooks.ts";
import { until } from "../helpers/wait.ts";
import { RETRY_DELAYS_MS } from "../../src/relay/worker.ts";

// Fast retries (the schedule's shape, in milliseconds) and a short deadline, so that a test
// walks through all eight attempts; the real schedule is checked on its own below.
const DELAYS = [50, 50, 50, 50, 50, 50, 50];
let t: TestApp;
const pool = receivers(); // closed after each test

beforeAll(async () => {
  t = await startTestApp({ relay: { retryDelaysMs: DELAYS, timeoutMs: 500 } });
});
afterEach(async () => {
  await pool.closeAll();
});
afterAll(async () => {
  await t.close();
});

const receiver = () => pool.start();
const subscribe = (url: string, body: Record<string, unknown>) => subscribeTo(t, { url, ...body });
const deliveries = (id: string, query = "") => deliveriesOf(t, id, query);
const settled = (id: string, n: number) => settledOf(t, id, n);
const wamid = newWamid;
const now = () => Math.floor(Date.now() / 1000);
const statusPost = (phone: string, id: string, s: "sent" | "delivered" | "read", at = now()) => postWebhook(t, statusesPayload(phone, [status({ wamid: id, status: s, at })]));

describe("given a backend that answers 500 once and then 200", () => {
  it("then the delivery is attempted again after the first delay and is delivered, its attempts listed", async () => {
    const rx = await receiver();
    rx.script({ status: 500 });
    const phone = phoneNumberId();
    const sub = await subscribe(rx.url, { format: "meta", phoneNumberIds: [phone] });
    expect((await statusPost(phone, wamid(), "sent")).status).toBe(200);
    const [d] = await settled(sub.id, 1);
    expect(d).toMatchObject({ eventType: "meta", status: "delivered", attempts: 2, lastResponseStatus: 200, lastError: null, nextAttemptAt: null });
    expect(rx.all.map((r) => r.headers["x-ticks-delivery-id"])).toEqual([d!.id, d!.id]); // one id on every attempt
  });
});

describe("given the real retry schedule", () => {
  it("then a failed first attempt is due again 5 s later, and the schedule is 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h", async () => {
    expect(RETRY_DELAYS_MS).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    const real = await startTestApp({ relay: true }); // a database of its own: no other process leases its subscription
    try {
      const rx = await receiver();
      rx.fallback = { status: 503 };
      const phone = phoneNumberId();
      const sub = (await real.http.post("/api/subscriptions").set(auth).send({ url: rx.url, format: "meta", phoneNumberIds: [phone] })).body as { id: string };
      expect((await postWebhook(real, statusesPayload(phone, [status({ wamid: wamid(), status: "sent", at: now() })]))).status).toBe(200);
      const [d] = await until(async () => (await real.http.get(`/api/subscriptions/${sub.id}/deliveries`).set(auth)).body.data as DeliveryView[], (x) => x[0]?.attempts === 1);
      const wait = Date.parse(d!.nextAttemptAt!) - Date.now();
      expect(wait).toBeGreaterThan(3_000);
      expect(wait).toBeLessThanOrEqual(5_000);
      expect(d).toMatchObject({ status: "pending", lastResponseStatus: 503, lastError: "HTTP 503: receiver says no" });
    } finally {
      await real.close();
    }
  });
});

describe("given a backend that never takes it", () => {
  it("then after eight attempts the delivery is failed and stays listed; a manual retry attempts it once more", async () => {
    const rx = await receiver();
    rx.fallback = { status: 500 };
    const phone = phoneNumberId();
    const sub = await subscribe(rx.url, { format: "meta", phoneNumberIds: [phone] });
    expect((await statusPost(phone, wamid(), "sent")).status).toBe(200);
    const [d] = await settled(sub.id, 1);
    expect(d).toMatchObject({ status: "failed", attempts: 8, nextAttemptAt: null, lastResponseStatus: 500 });
    expect(rx.all).toHaveLength(8);
    expect((await deliveries(sub.id, "?status=failed")).map((x) => x.id)).toEqual([d!.id]);
    expect(await deliveries(sub.id, "?status=delivered")).toEqual([]);

    rx.fallback = { status: 204 };
    const retry = await t.http.post(`/api/deliveries/${d!.id}/retry`).set(auth);
    expect(retry.status).toBe(202);
    expect((await settled(sub.id, 1))[0]).toMatchObject({ status: "delivered", attempts: 9, lastResponseStatus: 204 });
  });
});

describe("given a backend that redirects, or is too slow, or is not listening", () => {
  it("then a redirect is a failed attempt and is not followed", async () => {
    const rx = await receiver();
    const elsewhere = await receiver();
    rx.fallback = { status: 302, headers: { location: elsewhere.url } };
    const phone = phoneNumberId();
    const sub = await subscribe(rx.url, { format: "meta", phoneNumberIds: [phone] });
    expect((await statusPost(phone, wamid(), "sent")).status).toBe(200);
    const [d] = await settled(sub.id, 1);
    expect(d).toMatchObject({ status: "failed", lastResponseStatus: 302, lastError: `HTTP 302: redirect to ${elsewhere.url} not followed` });
    expect(elsewhere.all).toHaveLength(0);
  });

  it("then an answer later than the deadline is a failed attempt, and the next one that is on time delivers it", async () => {
    const rx = await receiver();
    rx.script({ status: 200, delayMs: 1_500 });
    const phone = phoneNumberId();
    const sub = await subscribe(rx.url, { format: "meta", phoneNumberIds: [phone] });
    expect((await statusPost(phone, wamid(), "sent")).status).toBe(200);
    await until(() => deliveries(sub.id), (x) => x[0]?.attempts === 1);
    expect((await deliveries(sub.id))[0]).toMatchObject({ lastResponseStatus: null, lastError: "timeout: no answer within the deadline" });
    expect((await settled(sub.id, 1))[0]).toMatchObject({ status: "delivered", attempts: 2 });
  });

  it("then after an outage every undelivered delivery can be made due at once", async () => {
    const rx = await receiver();
    await rx.down();
    const phone = phoneNumberId();
    // A database of its own (no other process leases its subscription), and retries an hour apart.
    const real = await startTestApp({ relay: { retryDelaysMs: DELAYS.map(() => 3_600_000) } });
    try {
      const sub = (await real.http.post("/api/subscriptions").set(auth).send({ url: rx.url, format: "meta", phoneNumberIds: [phone] })).body as { id: string };
      for (let i = 0; i < 3; i++) expect((await postWebhook(real, statusesPayload(phone, [status({ wamid: wamid(), status: "sent", at: now() })]))).status).toBe(200);
      await until(async () => (await real.http.get(`/api/subscriptions/${sub.id}/deliveries`).set(auth)).body.data as DeliveryView[], (x) => x.length === 3 && x.every((d) => d.attempts === 1));
      await rx.up();
      const res = await real.http.post(`/api/subscriptions/${sub.id}/retry`).set(auth);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ retried: 3 });
      const all = async () => (await real.http.get(`/api/subscriptions/${sub.id}/deliveries`).set(auth)).body.data as DeliveryView[];
      const done = await until(all, (x) => x.every((d) => d.status === "delivered")); // not an hour later
      expect(done.map((d) => d.attempts)).toEqual([2, 2, 2]);
    } finally {
      await real.close();
    }
  });

  it("then a backend that is down and comes back gets what was queued meanwhile", async () => {
    const rx = await receiver();
    await rx.down();
    const phone = phoneNumberId();
    const sub = await subscribe(rx.url, { format: "meta", phoneNumberIds: [phone] });
    expect((await statusPost(phone, wamid(), "sent")).status).toBe(200);
    const [d] = await until(() => deliveries(sub.id), (x) => (x[0]?.attempts ?? 0) >= 1);
    expect(d!.lastError).toMatch(/^ECONNREFUSED/);
    await rx.up();
    expect((await settled(sub.id, 1))[0]).toMatchObject({ status: "delivered" });
    expect(rx.delivered).toHaveLength(1);
  });
});

describe("given a backend that answers 410 Gone", () => {
  it("then the subscription is disabled, retries are refused until it is re-enabled, and then it delivers again", async () => {
    const rx = await receiver();
    rx.script({ status: 410 });
    const phone = phoneNumberId();
    const sub = await subscribe(rx.url, { format: "meta", phoneNumberIds: [phone] });
    expect((await statusPost(phone, wamid(), "sent")).status).toBe(200);
    const got = await until(() => t.http.get(`/api/subscriptions/${sub.id}`).set(auth), (r) => r.body.disabled === true);
    expect(got.body.disabledReason).toMatch(/^The subscriber answered 410 Gone at \d{4}-\d\d-\d\dT/);
    const [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: "pending", attempts: 1, lastResponseStatus: 410 });

    // While disabled: nothing new is queued for it and nothing is attempted.
    expect((await statusPost(phone, wamid(), "sent")).status).toBe(200);
    expect(await deliveries(sub.id)).toHaveLength(1);
    const refused = await t.http.post(`/api/deliveries/${d!.id}/retry`).set(auth);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("conflict");

    const enabled = await t.http.patch(`/api/subscriptions/${sub.id}`).set(auth).send({ disabled: false });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ disabled: false, disabledReason: null });
    expect((await settled(sub.id, 1))[0]).toMatchObject({ status: "delivered", attempts: 2 });
  });
});

describe("given one message's events while the first is being retried", () => {
  it("then the later events wait for it: the backend sees sent, delivered, read in that order", async () => {
    const rx = await receiver();
    rx.script({ status: 500 }, { status: 500 });
    const phone = phoneNumberId();
    const sub = await subscribe(rx.url, { format: "ticks", phoneNumberIds: [phone] });
    const id = wamid();
    const t0 = now();
    for (const [s, at] of [["sent", t0], ["delivered", t0 + 1], ["read", t0 + 2]] as const) expect((await statusPost(phone, id, s, at)).status).toBe(200);
    await settled(sub.id, 3);
    const statuses = rx.delivered.map((r) => (new Webhook(sub.secret).verify(r.body.toString(), r.headers as Record<string, string>) as { data: { status: string } }).data.status);
    expect(statuses).toEqual(["sent", "delivered", "read"]);
    expect(rx.all.slice(0, 2).every((r) => JSON.parse(r.body.toString()).data.status === "sent")).toBe(true);
  });
});

describe("given a backlog many claims long, in which later events wait for their message's first", () => {
  it("then claims that start where the previous one ended still deliver every event once, each message's in order", async () => {
    const rx = await receiver();
    await rx.down();
    const phone = phoneNumberId();
    // A database of its own, retries an hour apart, and claims of 3 deliveries: the 30 events
    // take many claims, and each message's 2nd and 3rd are passed over while its 1st is held.
    const real = await startTestApp({ relay: { retryDelaysMs: DELAYS.map(() => 3_600_000), prefetch: 3 } });
    try {
      const sub = (await real.http.post("/api/subscriptions").set(auth).send({ url: rx.url, format: "ticks", phoneNumberIds: [phone] })).body as { id: string; secret: string };
      const ids = Array.from({ length: 10 }, () => wamid());
      const t0 = now();
      for (const [k, s] of (["sent", "delivered", "read"] as const).entries()) {
        for (const id of ids) expect((await postWebhook(real, statusesPayload(phone, [status({ wamid: id, status: s, at: t0 + k })]))).status).toBe(200);
      }
      const all = async () => (await real.http.get(`/api/subscriptions/${sub.id}/deliveries?limit=100`).set(auth)).body.data as DeliveryView[];
      await until(all, (x) => x.length === 30 && x.filter((d) => d.attempts === 1).length === 10); // each message's first, refused
      await rx.up();
      expect((await real.http.post(`/api/subscriptions/${sub.id}/retry`).set(auth)).status).toBe(202);
      await until(all, (x) => x.every((d) => d.status === "delivered"));
      const got = rx.delivered.map((r) => (new Webhook(sub.secret).verify(r.body.toString(), r.headers as Record<string, string>) as { data: { wamid: string; status: string } }).data);
      expect(got).toHaveLength(30);
      for (const id of ids) expect(got.filter((e) => e.wamid === id).map((e) => e.status)).toEqual(["sent", "delivered", "read"]);
    } finally {
      await real.close();
    }
  });
});

describe("given a slow backend and a fast one", () => {
  it("then at most 8 requests are in flight to the slow one, and the fast one is served meanwhile", async () => {
    const slow = await receiver();
    const fast = await receiver();
    slow.fallback = { status: 200, delayMs: 400 };
    const phone = phoneNumberId();
    const slowSub = await subscribe(slow.url, { format: "ticks", phoneNumberIds: [phone] });
    const fastSub = await subscribe(fast.url, { format: "ticks", phoneNumberIds: [phone] });
    // 30 messages' first status in one POST: 30 events for each subscription.
    const items = Array.from({ length: 30 }, () => status({ wamid: wamid(), status: "sent", at: now() }));
    expect((await postWebhook(t, statusesPayload(phone, items))).status).toBe(200);
    await settled(fastSub.id, 30);
    expect(slow.delivered.length).toBeLessThan(30); // the fast one did not wait for the slow one
    await settled(slowSub.id, 30);
    expect(slow.maxInFlight).toBe(8);
  });
});
