import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { envelope, eventsOf, messageRow, postWebhook, status, statusesPayload } from "../helpers/webhooks.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(() => t.close());

const PHONE = "106540352242922";
const newWamid = () => `wamid.${randomBytes(12).toString("hex")}`;
const at = (s: number) => new Date(s * 1000);
const T0 = 1_750_000_000;

async function deliver(...items: Record<string, unknown>[]) {
  const res = await postWebhook(t, statusesPayload(PHONE, items));
  expect(res.status).toBe(200);
}

/** Sends through Ticks with Meta answering the given wamid. */
async function sendWith(wamid: string, to = waId()) {
  t.emulator.enqueue({ status: 200, body: { messaging_product: "whatsapp", contacts: [{ input: to, wa_id: to }], messages: [{ id: wamid }] } });
  const res = await t.http.post(`/${PHONE}/messages`).set(auth).send({ messaging_product: "whatsapp", to, type: "text", text: { body: "hi" }, biz_opaque_callback_data: "order-7" });
  expect(res.status).toBe(200);
  return res.headers["x-ticks-message-id"] as string;
}

describe("when statuses arrive in order", () => {
  it("then the message moves sent → delivered → read, each with Meta's own timestamp", async () => {
    const w = newWamid();
    const id = await sendWith(w);
    await deliver(status({ wamid: w, status: "sent", at: T0 }));
    expect((await messageRow(t, w))?.status).toBe("sent");
    await deliver(status({ wamid: w, status: "delivered", at: T0 + 5 }));
    await deliver(status({ wamid: w, status: "read", at: T0 + 60 }));
    const row = await messageRow(t, w);
    expect(row).toMatchObject({ id, status: "read", sentAt: at(T0), deliveredAt: at(T0 + 5), readAt: at(T0 + 60), bizOpaqueCallbackData: "order-7" });
    expect((await eventsOf(t, w)).map((e) => e.status).sort()).toEqual(["accepted", "delivered", "read", "sent"]);
  });
});

describe("when statuses arrive out of order or twice", () => {
  it("then read before delivered ends read, and delivered's own time is still kept", async () => {
    const w = newWamid();
    await sendWith(w);
    await deliver(status({ wamid: w, status: "read", at: T0 + 60 }));
    await deliver(status({ wamid: w, status: "delivered", at: T0 + 5 }));
    await deliver(status({ wamid: w, status: "sent", at: T0 }));
    expect(await messageRow(t, w)).toMatchObject({ status: "read", sentAt: at(T0), deliveredAt: at(T0 + 5), readAt: at(T0 + 60) });
  });

  it("then read with no delivered ever (Meta sends only read when both happen at once) ends read", async () => {
    const w = newWamid();
    await sendWith(w);
    await deliver(status({ wamid: w, status: "read", at: T0 + 9 }));
    expect(await messageRow(t, w)).toMatchObject({ status: "read", deliveredAt: null, readAt: at(T0 + 9) });
  });

  it("then the same event twice adds nothing to the trail and still answers 200", async () => {
    const w = newWamid();
    await sendWith(w);
    const s = status({ wamid: w, status: "delivered", at: T0 });
    await deliver(s);
    await deliver(s);
    await deliver(s, s);
    const events = await eventsOf(t, w);
    expect(events.filter((e) => e.status === "delivered")).toHaveLength(1);
  });

  it("then failed then delivered ends delivered, keeping Meta's errors on the message and the event", async () => {
    const w = newWamid();
    await sendWith(w);
    await deliver(status({ wamid: w, status: "failed", at: T0 + 1 }));
    expect((await messageRow(t, w))?.status).toBe("failed");
    await deliver(status({ wamid: w, status: "delivered", at: T0 + 2 }));
    const row = await messageRow(t, w);
    expect(row).toMatchObject({ status: "delivered", failedAt: at(T0 + 1), deliveredAt: at(T0 + 2) });
    expect(row?.errors).toEqual([expect.objectContaining({ code: 131026 })]);
    const failed = (await eventsOf(t, w)).find((e) => e.status === "failed");
    expect(failed?.errors).toEqual([expect.objectContaining({ code: 131026 })]);
  });

  it("then delivered then failed stays delivered", async () => {
    const w = newWamid();
    await sendWith(w);
    await deliver(status({ wamid: w, status: "delivered", at: T0 }));
    await deliver(status({ wamid: w, status: "failed", at: T0 + 1 }));
    expect(await messageRow(t, w)).toMatchObject({ status: "delivered", failedAt: at(T0 + 1) });
  });

  it("then sent then failed ends failed", async () => {
    const w = newWamid();
    await sendWith(w);
    await deliver(status({ wamid: w, status: "sent", at: T0 }), status({ wamid: w, status: "failed", at: T0 + 1 }));
    expect((await messageRow(t, w))?.status).toBe("failed");
  });

  it("then played (voice) outranks read", async () => {
    const w = newWamid();
    await sendWith(w);
    await deliver(status({ wamid: w, status: "played", at: T0 + 9 }), status({ wamid: w, status: "read", at: T0 + 8 }));
    expect(await messageRow(t, w)).toMatchObject({ status: "played", playedAt: at(T0 + 9), readAt: at(T0 + 8) });
  });

  it("then a deleted status is kept in the trail and changes nothing else", async () => {
    const w = newWamid();
    await sendWith(w);
    await deliver(status({ wamid: w, status: "delivered", at: T0 }));
    const before = await messageRow(t, w);
    await deliver(status({ wamid: w, status: "deleted", at: T0 + 3 }));
    const after = await messageRow(t, w);
    expect(after).toMatchObject({ status: before?.status, deliveredAt: before?.deliveredAt, errors: before?.errors });
    expect((await eventsOf(t, w)).map((e) => e.status)).toContain("deleted");
  });
});

describe("when a status carries pricing, conversation and callback data", () => {
  it("then they are kept on the message and the event, with every field Meta sent in the raw event", async () => {
    const w = newWamid();
    await sendWith(w);
    const pricing = { billable: true, pricing_model: "PMP", type: "regular", category: "marketing" };
    const conversation = { id: "7270432eae37498234f4444b35ffc5", origin: { type: "marketing" } };
    await deliver(status({ wamid: w, status: "delivered", at: T0, extra: { pricing, conversation, biz_opaque_callback_data: "order-7", future_field: 1 } }));
    expect(await messageRow(t, w)).toMatchObject({ pricing, conversation });
    const ev = (await eventsOf(t, w)).find((e) => e.status === "delivered");
    expect(ev).toMatchObject({ pricing, conversation, bizOpaqueCallbackData: "order-7", recipientId: "16505551234" });
    expect(ev?.raw).toMatchObject({ future_field: 1 });
  });
});

describe("when a status beats the send's own answer", () => {
  it("then a status for a wamid Ticks never sent is kept as a placeholder, never dropped", async () => {
    const w = newWamid();
    await deliver(status({ wamid: w, status: "delivered", at: T0, to: "16505550000" }));
    expect(await messageRow(t, w)).toMatchObject({ direction: "outbound", status: "delivered", phoneNumberId: PHONE, waId: "16505550000", type: null });
  });

  it("then webhook-first and send-first end in the same row and trail", async () => {
    const to = waId();
    const first = newWamid();
    await deliver(status({ wamid: first, status: "sent", at: T0 }), status({ wamid: first, status: "delivered", at: T0 + 1 }));
    const id1 = await sendWith(first, to);

    const second = newWamid();
    const id2 = await sendWith(second, to);
    await deliver(status({ wamid: second, status: "sent", at: T0 }), status({ wamid: second, status: "delivered", at: T0 + 1 }));

    const [a, b] = [await messageRow(t, first), await messageRow(t, second)];
    expect(a?.id).toBe(id1);
    expect(b?.id).toBe(id2);
    const pick = (m: typeof a) => ({ status: m?.status, type: m?.type, to: m?.to, payload: m?.payload, sentAt: m?.sentAt, deliveredAt: m?.deliveredAt, acceptedAt: !!m?.acceptedAt, bizOpaqueCallbackData: m?.bizOpaqueCallbackData });
    expect(pick(a)).toEqual(pick(b));
    expect(pick(a)).toMatchObject({ status: "delivered", type: "text", to });
    const trail = async (w: string) => (await eventsOf(t, w)).map((e) => e.status).sort();
    expect(await trail(first)).toEqual(await trail(second));
    expect(await t.db.prisma.message.count({ where: { wamid: first } })).toBe(1);
  });
});

describe("when one POST carries several entries, changes and statuses", () => {
  it("then every item is applied, and an item Ticks does not understand is kept raw while the rest still applies", async () => {
    const [w1, w2, w3] = [newWamid(), newWamid(), newWamid()];
    const e1 = envelope(PHONE, { statuses: [status({ wamid: w1, status: "sent", at: T0 }), { id: w2, status: "exploded", timestamp: "1" }, status({ wamid: w2, status: "read", at: T0 })] });
    const e2 = envelope("222", { statuses: [status({ wamid: w3, status: "delivered", at: T0 })] });
    const payload = {
      object: "whatsapp_business_account",
      entry: [...e1.entry, ...e2.entry, { id: "x", changes: [{ field: "account_update", value: { event: "VERIFIED" } }] }, { id: "no-changes" }],
    };
    const before = await t.db.prisma.unprocessedWebhookItem.count();
    expect((await postWebhook(t, payload)).status).toBe(200);
    expect((await messageRow(t, w1))?.status).toBe("sent");
    expect((await messageRow(t, w2))?.status).toBe("read");
    expect(await messageRow(t, w3)).toMatchObject({ status: "delivered", phoneNumberId: "222" });
    const kept = await t.db.prisma.unprocessedWebhookItem.findMany({ orderBy: { id: "desc" }, take: 3 });
    expect(await t.db.prisma.unprocessedWebhookItem.count()).toBe(before + 3);
    expect(kept.map((k) => k.item)).toEqual(expect.arrayContaining([{ id: w2, status: "exploded", timestamp: "1" }, { id: "no-changes" }, { field: "account_update", value: { event: "VERIFIED" } }]));

    // Meta retries the same POST: nothing is kept twice.
    expect((await postWebhook(t, payload)).status).toBe(200);
    expect(await t.db.prisma.unprocessedWebhookItem.count()).toBe(before + 3);
  });
});
