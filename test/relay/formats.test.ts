// The relay's two formats, as a subscriber's backend receives them: Meta's POSTs byte for
// byte, re-signed (verified by whatsapp-api-js, as a bot behind Ticks would), and Standard
// Webhooks events (verified by the standardwebhooks package), over HTTP to a real receiver.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { WhatsAppAPI } from "whatsapp-api-js";
import { auth, phoneNumberId, startTestApp, type TestApp } from "../helpers/test-app.ts";
import { startReceiver, type Receiver } from "../helpers/receiver.ts";
import { envelope, postWebhook, status, statusesPayload } from "../helpers/webhooks.ts";
import { sign } from "../../src/webhooks/signature.ts";
import { until } from "../helpers/wait.ts";
import { newWamid, subscribe as subscribeTo } from "../helpers/relay.ts";

let t: TestApp;
let rx: Receiver;

beforeAll(async () => {
  t = await startTestApp({ relay: true });
  rx = await startReceiver();
});
afterAll(async () => {
  await t.close();
  await rx.close();
});

const subscribe = (body: Record<string, unknown>) => subscribeTo(t, { url: rx.url, ...body });
/** What the receiver took at the path of one test's subscription (its phone number id). */
const fromSub = (phone: string) => rx.delivered.filter((r) => r.path.endsWith(`/${phone}`));
const wamid = newWamid;
const now = () => Math.floor(Date.now() / 1000);
/** Resolves once the subscription has deliveries and none is waiting. */
const allDelivered = (id: string) => until(() => deliveriesOf(id), (d) => d.length > 0 && d.every((x) => x.status === "delivered"));
const deliveriesOf = async (id: string) => (await t.http.get(`/api/subscriptions/${id}/deliveries`).set(auth)).body.data as { status: string; eventType: string }[];

describe("given a meta subscription with the backend's own app secret", () => {
  it("then each POST Ticks answered 200 reaches the backend as the same bytes, and whatsapp-api-js verifies and handles it", async () => {
    const phone = phoneNumberId();
    const secret = "the-bots-own-app-secret";
    const sub = await subscribe({ url: `${rx.url}/${phone}`, format: "meta", secret, phoneNumberIds: [phone] });
    expect(sub.secret).toBe(secret);

    const id = wamid();
    // Formatted oddly on purpose: the backend gets these bytes, not a re-serialisation.
    const raw = JSON.stringify(statusesPayload(phone, [status({ wamid: id, status: "delivered", at: now() })]), null, 3);
    expect((await postWebhook(t, undefined, { raw })).status).toBe(200);

    const [got] = await allDelivered(sub.id).then(() => fromSub(phone));
    expect(got!.body.toString("utf8")).toBe(raw);
    expect(got!.headers["content-type"]).toBe("application/json");
    expect(got!.headers["x-hub-signature-256"]).toBe(sign(raw, secret));
    expect(got!.headers["x-ticks-delivery-id"]).toMatch(/^\d+$/);

    const statuses: unknown[] = [];
    const bot = new WhatsAppAPI({ token: "unused", appSecret: secret, webhookVerifyToken: "unused", v: "v24.0" });
    bot.on.status = (s) => void statuses.push({ id: s.id, status: s.status });
    await bot.post(JSON.parse(raw), raw, String(got!.headers["x-hub-signature-256"]));
    expect(statuses).toEqual([{ id, status: "delivered" }]);
    // …and the same SDK refuses the bytes under another key, so the check above means something.
    await expect(new WhatsAppAPI({ token: "unused", appSecret: "another-secret", webhookVerifyToken: "unused", v: "v24.0" }).post(JSON.parse(raw), raw, String(got!.headers["x-hub-signature-256"]))).rejects.toBeTruthy();
  });

  it("then POSTs Ticks refused are not passed on, and Meta's retry of a POST within 24 hours is passed on once", async () => {
    const phone = phoneNumberId();
    const sub = await subscribe({ url: `${rx.url}/${phone}`, format: "meta", phoneNumberIds: [phone] });
    const raw = JSON.stringify(statusesPayload(phone, [status({ wamid: wamid(), status: "sent", at: now() })]));

    expect((await postWebhook(t, undefined, { raw, secret: "not-the-app-secret" })).status).toBe(401);
    const notJson = `{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"metadata":{"phone_number_id":"${phone}"}}`;
    expect((await postWebhook(t, undefined, { raw: notJson })).status).toBe(400);
    expect((await postWebhook(t, undefined, { raw })).status).toBe(200);
    expect((await postWebhook(t, undefined, { raw })).status).toBe(200); // Meta's retry: same bytes
    const other = JSON.stringify(statusesPayload(phone, [status({ wamid: wamid(), status: "sent", at: now() })]));
    expect((await postWebhook(t, undefined, { raw: other })).status).toBe(200);
    // A POST with an inbound message (stored by another statement) is passed on as well, once.
    const inbound = JSON.stringify(envelope(phone, { contacts: [{ profile: { name: "Ana" }, wa_id: "16505550123" }], messages: [{ from: "16505550123", id: wamid(), timestamp: String(now()), type: "text", text: { body: "hi" } }] }));
    expect((await postWebhook(t, undefined, { raw: inbound })).status).toBe(200);
    expect((await postWebhook(t, undefined, { raw: inbound })).status).toBe(200);

    const got = await allDelivered(sub.id).then(() => fromSub(phone));
    // POSTs go out side by side (only one message's events are ordered): compare as sets.
    expect(got.map((r) => r.body.toString()).sort()).toEqual([raw, other, inbound].sort());
    expect(await deliveriesOf(sub.id)).toEqual(Array.from({ length: 3 }, () => expect.objectContaining({ eventType: "meta", status: "delivered" })));
  });

  it("then a POST about another phone number is not passed on to it", async () => {
    const mine = phoneNumberId();
    const sub = await subscribe({ url: `${rx.url}/${mine}`, format: "meta", phoneNumberIds: [mine] });
    expect((await postWebhook(t, statusesPayload(phoneNumberId(), [status({ wamid: wamid(), status: "sent", at: now() })]))).status).toBe(200);
    expect((await postWebhook(t, statusesPayload(mine, [status({ wamid: wamid(), status: "sent", at: now() })]))).status).toBe(200);
    await allDelivered(sub.id);
    expect(await deliveriesOf(sub.id)).toHaveLength(1);
  });
});

describe("given a ticks subscription", () => {
  it("then each change of a message's status arrives once, climbing, signed as Standard Webhooks defines", async () => {
    const phone = phoneNumberId();
    const sub = await subscribe({ url: `${rx.url}/${phone}`, format: "ticks", phoneNumberIds: [phone] });
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const id = wamid();
    const post = (s: "sent" | "delivered" | "read", at: number) => postWebhook(t, statusesPayload(phone, [status({ wamid: id, status: s, at })]));
    const t0 = now();
    expect((await post("delivered", t0 + 1)).status).toBe(200);
    expect((await post("sent", t0)).status).toBe(200); // late and lower: no event
    expect((await post("delivered", t0 + 1)).status).toBe(200); // a duplicate: no event
    expect((await post("read", t0 + 2)).status).toBe(200);

    // Events are queued with the statuses they report: once the POSTs were answered, all are queued.
    const got = await allDelivered(sub.id).then(() => fromSub(phone));
    const wh = new Webhook(sub.secret);
    const events = fromSub(phone).map((r) => wh.verify(r.body.toString("utf8"), r.headers as Record<string, string>) as { type: string; timestamp: string; data: { wamid: string; status: string; previousStatus: string | null } });
    expect(events.map((e) => [e.type, e.data.wamid, e.data.previousStatus, e.data.status])).toEqual([
      ["message.status.updated", id, null, "delivered"],
      ["message.status.updated", id, "delivered", "read"],
    ]);
    expect(got[0]!.headers["webhook-id"]).toMatch(/^\d+$/);
    expect(() => new Webhook(`whsec_${Buffer.from("x".repeat(24)).toString("base64")}`).verify(got[0]!.body.toString(), got[0]!.headers as Record<string, string>)).toThrow();
  });

  it("then an inbound message arrives once as message.received, and a send's acceptance as accepted", async () => {
    const phone = phoneNumberId();
    const sub = await subscribe({ url: `${rx.url}/${phone}`, format: "ticks", phoneNumberIds: [phone] });
    const inbound = { from: "16505550123", id: wamid(), timestamp: String(now()), type: "text", text: { body: "hi" } };
    const payload = envelope(phone, { contacts: [{ profile: { name: "Ana" }, wa_id: "16505550123" }], messages: [inbound] });
    expect((await postWebhook(t, payload)).status).toBe(200);
    expect((await postWebhook(t, { ...payload, extra: 1 })).status).toBe(200); // other bytes, same message
    const send = await t.http.post(`/v24.0/${phone}/messages`).set(auth).send({ messaging_product: "whatsapp", to: "16505550123", type: "text", text: { body: "hello" } });
    expect(send.status).toBe(200);

    await allDelivered(sub.id);
    const events = fromSub(phone)
      .map((r) => new Webhook(sub.secret).verify(r.body.toString(), r.headers as Record<string, string>) as { type: string; data: Record<string, unknown> })
      .sort((a, b) => a.type.localeCompare(b.type)); // two messages: no order between them
    expect(events).toEqual([
      { type: "message.received", timestamp: expect.any(String), data: expect.objectContaining({ wamid: inbound.id, direction: "inbound", from: "16505550123", contactName: "Ana", status: "received" }) },
      { type: "message.status.updated", timestamp: expect.any(String), data: expect.objectContaining({ wamid: send.body.messages[0].id, status: "accepted", previousStatus: "pending", to: "16505550123" }) },
    ]);
    expect(events[1]!.data).not.toHaveProperty("events");
  });
});
