// Support finds a person by phone number or by BSUID: once any message has shown the two
// together, either one finds all of that person's messages, in both directions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { bsuid, inboundFrom, inboundWamid } from "../helpers/people.ts";
import { envelope, postWebhook } from "../helpers/webhooks.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(() => t.close());

type Row = { id: string; wamid: string; direction: string };
const ids = (rows: Row[]) => rows.map((m) => m.wamid);
const conversation = async (id: string) => ids((await t.http.get(`/api/conversations/${encodeURIComponent(id)}`).set(auth)).body.data);
const byUser = async (query: Record<string, string | number>) => (await t.http.get("/api/messages").query(query).set(auth)).body;

async function sendTo(phone: string, ids: { to?: string; recipient?: string }) {
  const res = await t.http.post(`/${phone}/messages`).set(auth).send({ messaging_product: "whatsapp", ...ids, type: "text", text: { body: "hello" } });
  expect(res.status).toBe(200);
  return res.body.messages[0].id as string;
}
async function receiveFrom(phone: string, p: { phone?: string; user?: string }, at: number) {
  const w = inboundWamid();
  expect((await postWebhook(t, envelope(phone, inboundFrom(p, w, at)))).status).toBe(200);
  return w;
}
const now = () => Math.floor(Date.now() / 1000);

describe("when a person is first seen by phone and later by BSUID only", () => {
  it("then, once one message showed both, either identifier finds every message in both directions", async () => {
    const [phone, person, user] = [phoneNumberId(), waId(), bsuid()];
    const a = await sendTo(phone, { to: person });
    const b = await receiveFrom(phone, { phone: person }, now());
    const c = await receiveFrom(phone, { user }, now() + 1); // phone withheld
    const d = await sendTo(phone, { recipient: user });
    // Not yet linked: each identifier finds only its own messages.
    expect(await conversation(person)).toEqual([a, b]);
    expect(await conversation(user)).toEqual([c, d]);
    const e = await receiveFrom(phone, { phone: person, user }, now() + 2); // both on one message
    for (const id of [person, `+${person.slice(0, 1)} ${person.slice(1)}`, user]) expect(await conversation(id)).toEqual([a, b, c, d, e]);
    const rows = (await t.http.get(`/api/conversations/${user}`).set(auth)).body.data as Row[];
    expect(rows.map((m) => m.direction)).toEqual(["outbound", "inbound", "inbound", "outbound", "inbound"]);
  });
});

describe("when a person is first seen by BSUID and later by phone", () => {
  it("then a status carrying both links them, and paging walks the whole conversation", async () => {
    const [phone, person, user] = [phoneNumberId(), waId(), bsuid()];
    const a = await receiveFrom(phone, { user }, now());
    const b = await sendTo(phone, { recipient: user });
    const c = await sendTo(phone, { to: person });
    // Meta's delivered status for c names both (recipient_id and recipient_user_id).
    await postWebhook(t, envelope(phone, { statuses: [{ id: c, status: "delivered", timestamp: String(now()), recipient_id: person, recipient_user_id: user }] }));
    for (const id of [person, user]) expect(await conversation(id)).toEqual([a, b, c]);
    const page1 = (await t.http.get(`/api/conversations/${person}`).query({ limit: 2 }).set(auth)).body;
    const page2 = (await t.http.get(`/api/conversations/${person}`).query({ limit: 2, cursor: page1.nextCursor }).set(auth)).body;
    expect([...ids(page1.data), ...ids(page2.data)]).toEqual([a, b, c]);
    expect(page2.nextCursor).toBeNull();
  });
});

describe("when a message sent to a phone gets statuses that name only the BSUID", () => {
  it("then the phone and the BSUID are linked: either finds the person's other messages too", async () => {
    const [phone, person, user] = [phoneNumberId(), waId(), bsuid()];
    const a = await sendTo(phone, { to: person });
    const b = await receiveFrom(phone, { user }, now()); // phone withheld
    expect(await conversation(person)).toEqual([a]);
    expect(await conversation(user)).toEqual([b]);
    const delivered = { id: a, status: "delivered", timestamp: String(now()), recipient_user_id: user }; // no recipient_id
    expect((await postWebhook(t, envelope(phone, { statuses: [delivered] }))).status).toBe(200);
    for (const id of [person, user]) expect(await conversation(id)).toEqual([a, b]);
  });
});

describe("when a caller lists messages by ?user=", () => {
  it("then it gets that person's messages, newest first, with the other filters and paging", async () => {
    const [phone, person, user] = [phoneNumberId(), waId(), bsuid()];
    const a = await sendTo(phone, { to: person, recipient: user });
    const b = await receiveFrom(phone, { user }, now());
    const c = await receiveFrom(phone, { phone: person }, now() + 1);
    await sendTo(phone, { to: waId() }); // someone else
    expect(ids((await byUser({ user })).data)).toEqual([c, b, a]);
    expect(ids((await byUser({ user: person, direction: "inbound" })).data)).toEqual([c, b]);
    expect(ids((await byUser({ user, phoneNumberId: phoneNumberId() })).data)).toEqual([]);
    const p1 = await byUser({ user, limit: 2 });
    const p2 = await byUser({ user, limit: 2, cursor: p1.nextCursor });
    expect([...ids(p1.data), ...ids(p2.data)]).toEqual([c, b, a]);
    expect(p1.data[0]).toMatchObject({ wamid: c, userId: null, waId: person, from: person });
    expect(p1.data[1]).toMatchObject({ wamid: b, userId: user, waId: null, from: null });
  });

  it.each([
    [{ user: "bob" }, "user"],
    [{ user: "US.1", to: "16505551234" }, "to"],
    [{ user: "US.1", from: "16505551234" }, "from"],
  ])("then %o is a 400 naming the parameter", async (query, field) => {
    const res = await t.http.get("/api/messages").query(query).set(auth);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain(field);
  });

  it("then a conversation id that is neither phone nor BSUID is a 400", async () => {
    const res = await t.http.get("/api/conversations/bob.smith").set(auth);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain("BSUID");
  });
});
