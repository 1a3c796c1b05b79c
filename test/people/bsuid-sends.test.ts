// Sends addressed by BSUID (`recipient`), by phone (`to`) or both, as Meta accepts them
// (docs/people.md): forwarded unchanged, stored with the recipient's identifiers.
import http from "node:http";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WhatsAppAPI } from "whatsapp-api-js";
import { Text } from "whatsapp-api-js/messages";
import { AUTHENTICATION_TEMPLATE, graphErrorBody } from "../../src/sandbox/emulator.ts";
import { auth, API_KEY, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { closeServer, listenLocal } from "../helpers/local-server.ts";
import { bsuid, parentBsuid } from "../helpers/people.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(() => t.close());

const text = (ids: Record<string, string>) => ({ messaging_product: "whatsapp", recipient_type: "individual", ...ids, type: "text", text: { body: "Hello" } });
const stored = (id: unknown) => t.http.get(`/api/messages/${String(id)}`).set(auth);
const forwarded = (body: unknown) => t.emulator.requests.filter((r) => JSON.stringify(r.body) === JSON.stringify(body));

describe("when a caller sends to a BSUID with no phone number", () => {
  it("then Meta's answer (user_id, no wa_id) is passed back and the message is stored with the BSUID", async () => {
    const user = bsuid();
    const phone = phoneNumberId();
    const body = text({ recipient: user });
    const res = await t.http.post(`/${phone}/messages`).set(auth).send(body);
    expect(res.status).toBe(200);
    expect(res.body.contacts).toEqual([{ input: user, user_id: user }]);
    expect(forwarded(body)).toHaveLength(1); // unchanged: no `to` added
    const msg = (await stored(res.headers["x-ticks-message-id"])).body;
    expect(msg).toMatchObject({ status: "accepted", wamid: res.body.messages[0].id, to: null, waId: null, userId: user, parentUserId: null });
  });

  it("then a parent BSUID is stored as the parent, and Meta's user_id as the BSUID", async () => {
    const parent = parentBsuid();
    const user = bsuid();
    t.emulator.enqueue({ status: 200, body: { messaging_product: "whatsapp", contacts: [{ input: parent, wa_id: "", user_id: user }], messages: [{ id: `wamid.${randomBytes(8).toString("hex")}` }] } });
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(text({ recipient: parent }));
    expect(res.status).toBe(200);
    const msg = (await stored(res.headers["x-ticks-message-id"])).body;
    expect(msg).toMatchObject({ to: null, waId: null, userId: user, parentUserId: parent });
  });

  it("then a send naming both keeps both as the person's identifiers, found by either", async () => {
    const user = bsuid();
    const person = waId();
    const phone = phoneNumberId();
    const res = await t.http.post(`/${phone}/messages`).set(auth).send(text({ to: `+${person}`, recipient: user }));
    expect(res.status).toBe(200);
    const msg = (await stored(res.headers["x-ticks-message-id"])).body;
    expect(msg).toMatchObject({ to: `+${person}`, waId: person, userId: user });
    // A later message to the phone alone is the same person's.
    const later = await t.http.post(`/${phone}/messages`).set(auth).send(text({ to: person }));
    for (const id of [person, user]) {
      const conv = await t.http.get(`/api/conversations/${id}`).set(auth);
      expect(conv.body.data.map((m: { id: string }) => m.id)).toEqual([res.headers["x-ticks-message-id"], later.headers["x-ticks-message-id"]]);
    }
  });

  it("then a send naming both that Meta refuses links nothing: the BSUID does not find the phone's other messages", async () => {
    const [user, person, phone] = [bsuid(), waId(), phoneNumberId()];
    t.emulator.enqueue({ status: 400, body: graphErrorBody(131026, "(#131026) Message undeliverable") });
    const refused = await t.http.post(`/${phone}/messages`).set(auth).send(text({ to: person, recipient: user }));
    expect(refused.status).toBe(400);
    const later = await t.http.post(`/${phone}/messages`).set(auth).send(text({ to: person }));
    const ids = async (id: string) => (await t.http.get(`/api/conversations/${id}`).set(auth)).body.data.map((m: { id: string }) => m.id);
    expect(await ids(user)).toEqual([refused.headers["x-ticks-message-id"]]);
    expect(await ids(person)).toEqual([refused.headers["x-ticks-message-id"], later.headers["x-ticks-message-id"]]);
  });

  it("then a `to` that is not a phone number (a group id) is never stored as one", async () => {
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send({ ...text({ to: "GROUP-abc-123" }), recipient_type: "group" });
    expect(res.status).toBe(200);
    expect((await stored(res.headers["x-ticks-message-id"])).body).toMatchObject({ to: "GROUP-abc-123", waId: null });
  });

  it.each([
    ["a recipient that is no BSUID", { recipient: "bob" }, "recipient"],
    ["a parent BSUID of the wrong form", { recipient: "US.ENT." }, "recipient"],
    ["neither to nor recipient", {}, "to"],
  ])("then %s is a 400 naming the field, and nothing is sent", async (_name, ids, field) => {
    const before = t.emulator.requests.length;
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(text(ids));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 100, type: "OAuthException" });
    expect(res.body.error.error_data.details).toContain(field);
    expect(res.headers["x-ticks-message-id"]).toBeUndefined();
    expect(t.emulator.requests.length).toBe(before);
  });

  it("then Meta's 131062 (no BSUID for this authentication template) is passed back and stored as a rejection", async () => {
    const body = { messaging_product: "whatsapp", recipient: bsuid(), type: "template", template: { name: AUTHENTICATION_TEMPLATE, language: { code: "en_US" } } };
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(131062);
    const msg = (await stored(res.headers["x-ticks-message-id"])).body;
    expect(msg).toMatchObject({ status: "failed", failureReason: "rejected", userId: body.recipient, errors: [expect.objectContaining({ code: 131062 })] });
  });
});

describe("when whatsapp-api-js sends to a { bsuid } recipient through Ticks", () => {
  it("then the SDK gets Meta's answer and Ticks stores the message under the BSUID", async () => {
    const server = http.createServer(t.app.express);
    const base = await listenLocal(server);
    try {
      // The SDK calls graph.facebook.com; pointing it at Ticks is a change of base URL.
      const sdk = new WhatsAppAPI({
        token: API_KEY,
        v: "v24.0",
        secure: false,
        ponyfill: { fetch: (url: string | URL | Request, init?: RequestInit) => fetch(String(url).replace("https://graph.facebook.com", base), init) },
      });
      const user = bsuid();
      const phone = phoneNumberId();
      const answer = (await sdk.sendMessage(phone, { bsuid: user }, new Text("Hello from the SDK"))) as { messages: { id: string }[]; contacts: unknown[] };
      expect(answer.contacts).toEqual([{ input: user, user_id: user }]);
      const sent = t.emulator.requests.at(-1)!;
      expect(sent.body).toMatchObject({ recipient: user, recipient_type: "individual", type: "text" });
      expect(sent.body).not.toHaveProperty("to");
      const msg = (await stored(answer.messages[0]!.id)).body;
      expect(msg).toMatchObject({ direction: "outbound", userId: user, to: null, status: "accepted", payload: { text: { body: "Hello from the SDK" } } });
    } finally {
      await closeServer(server);
    }
  });
});
