import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_RECIPIENTS } from "../../src/sandbox/emulator.ts";
import { auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { receive, send, statuses } from "../helpers/traffic.ts";
import { postWebhook, status, statusesPayload } from "../helpers/webhooks.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(() => t.close());

describe("when support looks up one message", () => {
  it("then by wamid or by Ticks' id it gets the whole story: parties, payload, status, a time per status and the trail in order", async () => {
    const phone = phoneNumberId();
    const to = waId();
    const sent = await send(t, phone, to, { biz_opaque_callback_data: "order-9" });
    const T = Math.floor(Date.now() / 1000) + 1;
    const pricing = { billable: true, pricing_model: "PMP", type: "regular", category: "utility" };
    const at = (s: "sent" | "delivered" | "read", dt: number) => status({ wamid: sent.wamid!, status: s, at: T + dt, extra: { pricing } });
    await postWebhook(t, statusesPayload(phone, [at("read", 60)])); // out of order, as Meta may
    await postWebhook(t, statusesPayload(phone, [at("sent", 0), at("delivered", 5)]));

    const byWamid = await t.http.get(`/api/messages/${encodeURIComponent(sent.wamid!)}`).set(auth);
    const byId = await t.http.get(`/api/messages/${sent.id}`).set(auth);
    expect(byWamid.status).toBe(200);
    expect(byId.body).toEqual(byWamid.body);
    const m = byWamid.body;
    expect(m).toMatchObject({
      id: sent.id,
      wamid: sent.wamid,
      direction: "outbound",
      phoneNumberId: phone,
      to,
      waId: to,
      type: "text",
      payload: { text: { body: "hello" } },
      status: "read",
      bizOpaqueCallbackData: "order-9",
      acceptedAt: expect.any(String),
      sentAt: expect.any(String),
      deliveredAt: expect.any(String),
      readAt: expect.any(String),
      failedAt: null,
      pricing: expect.objectContaining({ pricing_model: "PMP" }),
    });
    expect(m.events.map((e: { status: string }) => e.status)).toEqual(["accepted", "sent", "delivered", "read"]);
    const meta = m.events.filter((e: { status: string }) => e.status !== "accepted");
    expect(meta.map((e: { status: string }) => e.status)).toEqual(["sent", "delivered", "read"]);
    expect(meta[0]).toMatchObject({ timestamp: expect.any(String), receivedAt: expect.any(String), pricing: expect.any(Object) });
    expect(Date.parse(meta[0].timestamp)).toBeLessThanOrEqual(Date.parse(meta[2].timestamp));
  });

  it("then a wamid with / and + (base64, as Meta's are) is found with or without URL-encoding", async () => {
    const phone = phoneNumberId();
    const wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI/NUZ+QjQyNUE3NEYxMzAzMzQ5MkEA=";
    t.emulator.enqueue({ status: 200, body: { messaging_product: "whatsapp", contacts: [{ input: "16505551234", wa_id: "16505551234" }], messages: [{ id: wamid }] } });
    const sent = await send(t, phone, "16505551234");
    for (const path of [`/api/messages/${wamid}`, `/api/messages/${encodeURIComponent(wamid)}`]) {
      const res = await t.http.get(path).set(auth);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: sent.id, wamid });
    }
  });

  it("then a send Meta refused (no wamid) is found by Ticks' id, with Meta's error", async () => {
    const sent = await send(t, phoneNumberId(), TEST_RECIPIENTS.windowClosed);
    expect(sent.status).toBe(400);
    const res = await t.http.get(`/api/messages/${sent.id}`).set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ wamid: null, status: "failed", failureReason: "rejected", errors: [expect.objectContaining({ code: 131047 })], events: [expect.objectContaining({ status: "failed", errors: [expect.objectContaining({ code: 131047 })] })] });
  });

  it("then a failed message shows Meta's errors on the message and its event", async () => {
    const phone = phoneNumberId();
    const sent = await send(t, phone, waId());
    await statuses(t, phone, sent.wamid!, ["failed"], 131049);
    const res = await t.http.get(`/api/messages/${encodeURIComponent(sent.wamid!)}`).set(auth);
    expect(res.body).toMatchObject({ status: "failed", failedAt: expect.any(String), errors: [expect.objectContaining({ code: 131049 })] });
    expect(res.body.events.find((e: { status: string }) => e.status === "failed")).toMatchObject({ errors: [expect.objectContaining({ code: 131049 })] });
  });

  it("then an inbound message shows its sender, contact and when Ticks marked it read", async () => {
    const phone = phoneNumberId();
    const from = waId();
    const wamid = await receive(t, phone, from, "where is my order?");
    await t.receipts.kick();
    const res = await t.http.get(`/api/messages/${encodeURIComponent(wamid)}`).set(auth);
    expect(res.body).toMatchObject({ direction: "inbound", from, waId: from, contactName: "Ana", status: "received", markedReadAt: expect.any(String), payload: { text: { body: "where is my order?" } } });
  });

  it("then a status for a message sent by another system is still found, with its trail", async () => {
    const w = `wamid.other${Date.now()}`;
    await postWebhook(t, statusesPayload("106540352242922", [status({ wamid: w, status: "delivered", at: 1_750_000_000 })]));
    const res = await t.http.get(`/api/messages/${encodeURIComponent(w)}`).set(auth);
    expect(res.body).toMatchObject({ type: null, status: "delivered", events: [expect.objectContaining({ status: "delivered", timestamp: "2025-06-15T15:06:40.000Z" })] });
  });

  it.each([["an unknown wamid", "wamid.nope"], ["an unknown id", "00000000-0000-4000-8000-000000000000"]])("then %s is a 404 with a clear body", async (_n, id) => {
    const res = await t.http.get(`/api/messages/${id}`).set(auth);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "not_found", message: expect.stringContaining(id) } });
  });

  it.each([["no key", {}], ["a wrong key", { Authorization: "Bearer not-a-key-0000000000" }]])("then %s is a 401", async (_n, headers) => {
    for (const path of ["/api/messages/x", "/api/messages", "/api/stats", "/api/conversations/16505551234"]) {
      const res = await t.http.get(path).set(headers);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthorized");
    }
  });
});
