// Webhooks from and about username users (docs/people.md): statuses that name the
// recipient by BSUID only, inbound messages with no phone number, and Meta's system
// messages when a person's phone or BSUID changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { bsuid, inboundFrom, inboundWamid, parentBsuid } from "../helpers/people.ts";
import { until } from "../helpers/wait.ts";
import { envelope, messageRow, postWebhook } from "../helpers/webhooks.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp({ startWorker: true })));
afterAll(() => t.close());

const T0 = 1_764_763_200;
const stored = async (id: string) => (await t.http.get(`/api/messages/${id}`).set(auth)).body;
const conversation = async (id: string) => (await t.http.get(`/api/conversations/${id}`).set(auth)).body.data.map((m: { wamid: string }) => m.wamid);

describe("when statuses name the recipient by BSUID only (phone withheld)", () => {
  it("then a message sent to the BSUID climbs to read, and the status's contact gives the username", async () => {
    const user = bsuid();
    const phone = phoneNumberId();
    const sent = await t.http.post(`/${phone}/messages`).set(auth).send({ messaging_product: "whatsapp", recipient: user, type: "text", text: { body: "Hi" } });
    const wamid = sent.body.messages[0].id as string;
    const contacts = [{ profile: { name: "Pablo M.", username: "pablomorales" }, user_id: user }];
    const item = (status: string, at: number) => ({ id: wamid, status, timestamp: String(at), recipient_user_id: user, recipient_type: "individual", pricing: { billable: true, pricing_model: "PMP", category: "utility", type: "regular" } });
    expect((await postWebhook(t, envelope(phone, { contacts, statuses: [item("read", T0 + 5)] }))).status).toBe(200);
    expect((await postWebhook(t, envelope(phone, { contacts, statuses: [item("delivered", T0 + 2)] }))).status).toBe(200);
    expect(await stored(wamid)).toMatchObject({ status: "read", to: null, waId: null, userId: user, username: "pablomorales", contactName: "Pablo M.", deliveredAt: new Date((T0 + 2) * 1000).toISOString() });
  });

  it("then a status for a wamid Ticks has not stored is kept under the BSUID, and the send merges into it", async () => {
    const user = bsuid();
    const parent = parentBsuid();
    const phone = phoneNumberId();
    const wamid = `wamid.race${Date.now()}`;
    await postWebhook(t, envelope(phone, { statuses: [{ id: wamid, status: "delivered", timestamp: String(T0), recipient_user_id: user, recipient_parent_user_id: parent }] }));
    expect(await messageRow(t, wamid)).toMatchObject({ status: "delivered", to: null, waId: null, userId: user, parentUserId: parent, type: null });
    t.emulator.enqueue({ status: 200, body: { messaging_product: "whatsapp", contacts: [{ input: user, user_id: user }], messages: [{ id: wamid }] } });
    const res = await t.http.post(`/${phone}/messages`).set(auth).send({ messaging_product: "whatsapp", recipient: user, type: "text", text: { body: "Hi" } });
    expect(await stored(res.headers["x-ticks-message-id"] as string)).toMatchObject({ wamid, status: "delivered", type: "text", userId: user, parentUserId: parent });
    expect(await conversation(parent)).toEqual([wamid]);
  });
});

describe("when a username user whose phone is withheld writes in", () => {
  it("then the message is stored with BSUID, parent BSUID and username, and marked read", async () => {
    const [user, parent, w] = [bsuid(), parentBsuid(), inboundWamid()];
    const phone = phoneNumberId();
    const res = await postWebhook(t, envelope(phone, inboundFrom({ user, parent, username: "realsheenanelson" }, w, T0)));
    expect(res.status).toBe(200);
    expect(await stored(w)).toMatchObject({ direction: "inbound", status: "received", from: null, waId: null, userId: user, parentUserId: parent, username: "realsheenanelson", contactName: "Sheena Nelson", sentAt: new Date(T0 * 1000).toISOString() });
    const row = await until(() => messageRow(t, w), (m) => m?.markedReadAt != null);
    expect(row?.markedReadAt).toBeInstanceOf(Date);
    expect(t.emulator.requests.filter((r) => (r.body as { message_id?: string }).message_id === w)).toHaveLength(1);
    expect(await conversation(user)).toEqual([w]);
  });

  it("then a message with no sender at all is kept raw and skipped, and the rest of the POST applied", async () => {
    const phone = phoneNumberId();
    const good = inboundWamid();
    const nobody = { id: inboundWamid(), timestamp: String(T0), type: "text", text: { body: "?" } };
    const body = envelope(phone, { messages: [nobody, inboundFrom({ user: bsuid() }, good).messages[0]] });
    expect((await postWebhook(t, body)).status).toBe(200);
    expect(await messageRow(t, good)).not.toBeNull();
    expect(await messageRow(t, nobody.id)).toBeNull();
    const kept = await t.db.prisma.unprocessedWebhookItem.findMany({ where: { reason: { contains: "no sender" } } });
    expect(kept.map((k) => (k.item as { id: string }).id)).toContain(nobody.id);
  });
});

describe("when Meta says a person's identifiers changed", () => {
  const system = (p: { from?: string; user?: string }, sys: Record<string, unknown>, wamid = inboundWamid()) => ({
    messages: [{ ...(p.from ? { from: p.from } : {}), ...(p.user ? { from_user_id: p.user } : {}), id: wamid, timestamp: String(T0 + 100), type: "system", system: sys }],
  });

  it("then a new BSUID (user_changed_user_id) keeps the person's history one conversation", async () => {
    const [before, after] = [bsuid(), bsuid()];
    const phone = phoneNumberId();
    const old = inboundWamid();
    const later = inboundWamid();
    await postWebhook(t, envelope(phone, inboundFrom({ user: before }, old, T0)));
    expect(await conversation(after)).toEqual([]);
    const notice = inboundWamid();
    const res = await postWebhook(t, envelope(phone, system({ user: after }, { type: "user_changed_user_id", body: `User changed from ${before} to ${after}`, previous_user_id: before }, notice)));
    expect(res.status).toBe(200);
    await postWebhook(t, envelope(phone, inboundFrom({ user: after }, later, T0 + 200)));
    expect(await conversation(before)).toEqual([old, notice, later]);
    expect(await conversation(after)).toEqual([old, notice, later]);
    expect(await stored(notice)).toMatchObject({ type: "system", userId: after, payload: { system: { previous_user_id: before } } });
    // A notice is Meta's, not the person's: it is owed no read receipt.
    expect(await t.db.prisma.readReceipt.count({ where: { wamid: notice } })).toBe(0);
  });

  it("then a new phone number (user_changed_number) is linked to the old one", async () => {
    const [oldPhone, newPhone, user] = [waId(), waId(), bsuid()];
    const phone = phoneNumberId();
    const first = inboundWamid();
    await postWebhook(t, envelope(phone, inboundFrom({ phone: oldPhone }, first, T0)));
    const notice = inboundWamid();
    await postWebhook(t, envelope(phone, system({ from: oldPhone }, { type: "user_changed_number", body: `User changed from ${oldPhone} to ${newPhone}`, wa_id: newPhone, user_id: user }, notice)));
    const next = inboundWamid();
    await postWebhook(t, envelope(phone, inboundFrom({ phone: newPhone }, next, T0 + 200)));
    for (const id of [oldPhone, `+${newPhone}`, user]) expect(await conversation(id)).toEqual([first, notice, next]);
  });
});
