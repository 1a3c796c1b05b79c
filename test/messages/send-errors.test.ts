import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { graphErrorBody, TEST_RECIPIENTS } from "../../src/sandbox/emulator.ts";
import { sendBodies } from "../fixtures/send-bodies.ts";
import { auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp({ sendTimeoutMs: 1_000 })));
afterAll(() => t.close());
beforeEach(() => t.emulator.reset());

const text = (to = waId()) => sendBodies(to).text!;
const stored = (id: string | undefined) => t.db.prisma.message.findUniqueOrThrow({ where: { id: String(id) } });

describe("when a send body does not match the Cloud API shape", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["no messaging_product", { to: "1", type: "text", text: { body: "x" } }, "messaging_product"],
    ["no to", { messaging_product: "whatsapp", type: "text", text: { body: "x" } }, "to"],
    ["an unknown type", { messaging_product: "whatsapp", to: "1", type: "fax", fax: {} }, "type"],
    ["text without body", { messaging_product: "whatsapp", to: "1", type: "text", text: {} }, "text.body"],
    ["image with both id and link", { messaging_product: "whatsapp", to: "1", type: "image", image: { id: "1", link: "https://x.y/a.png" } }, "image"],
    ["a template without language", { messaging_product: "whatsapp", to: "1", type: "template", template: { name: "t" } }, "template.language"],
    ["four reply buttons", { messaging_product: "whatsapp", to: "1", type: "interactive", interactive: { type: "button", body: { text: "b" }, action: { buttons: Array(4).fill({ type: "reply", reply: { id: "a", title: "A" } }) } } }, "interactive.action.buttons"],
    ["a latitude of 200", { messaging_product: "whatsapp", to: "1", type: "location", location: { latitude: 200, longitude: 0 } }, "location.latitude"],
    ["a reaction without message_id", { messaging_product: "whatsapp", to: "1", type: "reaction", reaction: { emoji: "x" } }, "reaction.message_id"],
    ["an array body", [] as unknown as Record<string, unknown>, "body"],
  ];
  it.each(cases)("then %s is a 400 naming the field, and nothing is sent or stored", async (_n, body, field) => {
    const count = await t.db.prisma.message.count();
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 100, type: "OAuthException", fbtrace_id: expect.any(String) });
    expect(res.body.error.error_data.details).toContain(field);
    expect(res.headers["x-ticks-message-id"]).toBeUndefined();
    expect(t.emulator.requests).toHaveLength(0);
    expect(await t.db.prisma.message.count()).toBe(count);
  });

  it("then a body that is not JSON is a Graph-style 400", async () => {
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).set("Content-Type", "application/json").send("{nope");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(100);
    expect(t.emulator.requests).toHaveLength(0);
  });

  it("then an unknown version in the path is a 400", async () => {
    const res = await t.http.post(`/latest/${phoneNumberId()}/messages`).set(auth).send(text());
    expect(res.status).toBe(400);
    expect(t.emulator.requests).toHaveLength(0);
  });
});

describe("when the caller is not authorised", () => {
  it.each([
    ["no header", {}],
    ["a wrong key", { Authorization: "Bearer wrong_key_0123456789" }],
    ["the key without Bearer", { Authorization: auth.Authorization.slice(7) }],
  ])("then %s gets 401 with Meta's code 190 and nothing is sent", async (_n, headers) => {
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(headers).send(text());
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe(190);
    expect(t.emulator.requests).toHaveLength(0);
  });
});

describe("when the body is larger than BODY_LIMIT", () => {
  it("then it is a 413 and nothing is sent", async () => {
    const small = await startTestApp({ bodyLimit: "1kb", testDb: t.testDb });
    try {
      const res = await small.http.post(`/${phoneNumberId()}/messages`).set(auth).send({ ...text(), text: { body: "x".repeat(2_000) } });
      expect(res.status).toBe(413);
      expect(small.emulator.requests).toHaveLength(0);
    } finally {
      await small.close();
    }
  });
});

describe("when Meta answers with an error", () => {
  it("then a permanent error (131047) is passed back unchanged after one attempt and stored as failed", async () => {
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(text(TEST_RECIPIENTS.windowClosed));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 131047, error_data: { details: expect.stringContaining("24 hours") } });
    expect(t.emulator.requests).toHaveLength(1);
    const row = await stored(res.headers["x-ticks-message-id"]);
    expect(row).toMatchObject({ status: "failed", failureReason: "rejected", wamid: null });
    expect(row.errors).toEqual([res.body.error]);
    expect(row.failedAt).toBeInstanceOf(Date);
    // Its audit trail has a failed event with Meta's error, at the failure's time.
    const { body: msg } = await t.http.get(`/api/messages/${res.headers["x-ticks-message-id"]}`).set(auth);
    expect(msg.events).toEqual([{ status: "failed", timestamp: msg.failedAt, receivedAt: msg.failedAt, errors: [expect.objectContaining({ code: 131047 })] }]);
  });

  it("then a transient error is retried and the later success is what the caller gets", async () => {
    t.emulator.enqueue(
      { status: 503, body: graphErrorBody(2, "Service temporarily unavailable") },
      { status: 400, body: graphErrorBody(130429, "Rate limit hit") },
    );
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(text());
    expect(res.status).toBe(200);
    expect(t.emulator.requests).toHaveLength(3);
    expect((await stored(res.headers["x-ticks-message-id"])).status).toBe("accepted");
  });

  it("then a transient error on every attempt ends with Meta's last answer after a bounded number of tries", async () => {
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(text(TEST_RECIPIENTS.serviceError));
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe(131000);
    expect(t.emulator.requests).toHaveLength(5); // the first attempt and 4 retries
    expect(await stored(res.headers["x-ticks-message-id"])).toMatchObject({ status: "failed", failureReason: "rejected" });
  });

  it("then Meta's error body is passed back even when it is not JSON-shaped like Graph's", async () => {
    t.emulator.enqueue({ status: 403, body: { error: { message: "(#10) Permission", code: 10, type: "OAuthException" } } });
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(text());
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { message: "(#10) Permission", code: 10, type: "OAuthException" } });
    expect(t.emulator.requests).toHaveLength(1);
  });
});

describe("when Meta does not answer within SEND_TIMEOUT_MS", () => {
  it("then the caller gets 504 (code 2) and the message is failed/unconfirmed, never resent", async () => {
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(text(TEST_RECIPIENTS.noAnswer));
    expect(res.status).toBe(504);
    expect(res.body.error).toMatchObject({ code: 2, message: expect.stringContaining("temporarily unavailable") });
    const row = await stored(res.headers["x-ticks-message-id"]);
    expect(row).toMatchObject({ status: "failed", failureReason: "unconfirmed" });
    expect(t.emulator.requests).toHaveLength(1);
  });

  it("then a send left pending past its deadline by a crash becomes failed/unconfirmed", async () => {
    const { createSendRepository } = await import("../../src/messages/repository.ts");
    const repo = createSendRepository(t.db);
    const pending = (id: string, deadlineAt: Date) => ({ id, createdAt: new Date(), phoneNumberId: phoneNumberId(), to: waId(), recipient: null, type: "text", payload: {}, graphVersion: "v24.0", deadlineAt });
    const [past, future] = [randomUUID(), randomUUID()];
    await repo.write([pending(past, new Date(Date.now() - 1000)), pending(future, new Date(Date.now() + 60_000))].map((row) => ({ pending: row })));
    await repo.failExpiredPending();
    expect(await stored(past)).toMatchObject({ status: "failed", failureReason: "unconfirmed" });
    expect(await stored(future)).toMatchObject({ status: "pending" });
  });
});
