// How a send that did not go through is answered and recorded: Meta unreachable (nothing
// was sent: 503, failed/unreachable) and the sweep's unconfirmed; each leaves a `failed`
// event in the message's audit trail (Meta's refusal: send-errors.test.ts).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSendRepository } from "../../src/messages/repository.ts";
import { auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(() => t.close());

const text = (to = waId()) => ({ messaging_product: "whatsapp", to, type: "text", text: { body: "hi" } });
const stored = async (id: string) => (await t.http.get(`/api/messages/${id}`).set(auth)).body;

/** Port 1 on loopback: privileged (tcpmux), and nothing listens there, so connections are refused. */
const REFUSING = "http://127.0.0.1:1";

describe("when every attempt to reach Meta is refused at connect time", () => {
  it("then the send answers 503 (code 2) and is stored failed/unreachable with a failed event", async () => {
    const app = await startTestApp({ testDb: t.testDb, graphBaseUrl: REFUSING });
    try {
      const res = await app.http.post(`/${phoneNumberId()}/messages`).set(auth).send(text());
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 2, error_data: { details: expect.stringMatching(/could not reach the Graph API \(.*ECONNREFUSED.*\); nothing was sent/) } });
      const msg = await stored(res.headers["x-ticks-message-id"] as string);
      expect(msg).toMatchObject({ status: "failed", failureReason: "unreachable", wamid: null, errors: [expect.objectContaining({ code: 2, title: "unreachable" })] });
      expect(msg.events).toEqual([expect.objectContaining({ status: "failed", errors: msg.errors })]);
    } finally {
      await app.close();
    }
  });
});

describe("when the sweep finds a send left pending past its deadline", () => {
  it("then it is failed/unconfirmed with a failed event", async () => {
    const repo = createSendRepository(t.db);
    const id = randomUUID();
    await repo.write([{ pending: { id, createdAt: new Date(), phoneNumberId: phoneNumberId(), to: waId(), recipient: null, type: "text", payload: {}, graphVersion: "v24.0", deadlineAt: new Date(Date.now() - 1000) } }]);
    expect(await repo.failExpiredPending()).toBe(1);
    const msg = await stored(id);
    expect(msg).toMatchObject({ status: "failed", failureReason: "unconfirmed" });
    expect(msg.events).toEqual([expect.objectContaining({ status: "failed", errors: [expect.objectContaining({ title: "unconfirmed" })] })]);
  });
});

describe("when a message's events are listed", () => {
  it("then Ticks' accepted comes first even when Meta's second-precision sent is earlier, then by time and rank", async () => {
    const { postWebhook, statusesPayload, status } = await import("../helpers/webhooks.ts");
    const phone = phoneNumberId();
    const res = await t.http.post(`/${phone}/messages`).set(auth).send(text());
    const wamid = res.body.messages[0].id as string;
    const before = Math.floor(Date.now() / 1000) - 2; // Meta's clock a little behind Ticks'
    await postWebhook(t, statusesPayload(phone, [status({ wamid, status: "read", at: before }), status({ wamid, status: "delivered", at: before }), status({ wamid, status: "sent", at: before - 1 })]));
    expect((await stored(wamid)).events.map((e: { status: string }) => e.status)).toEqual(["accepted", "sent", "delivered", "read"]);
  });
});
