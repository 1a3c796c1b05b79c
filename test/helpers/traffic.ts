// Real traffic through Ticks (sends through the emulator, webhooks signed like Meta's)
// for the query tests.
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { auth, type TestApp } from "./test-app.ts";
import { envelope, postWebhook, status } from "./webhooks.ts";

export async function send(t: TestApp, phone: string, to: string, extra: Record<string, unknown> = {}) {
  const res = await t.http.post(`/${phone}/messages`).set(auth).send({ messaging_product: "whatsapp", to, type: "text", text: { body: "hello" }, ...extra });
  return { id: res.headers["x-ticks-message-id"] as string, wamid: res.body.messages?.[0]?.id as string | undefined, status: res.status };
}

const PRICING = { billable: true, pricing_model: "PMP", type: "regular", category: "utility" };

export async function statuses(t: TestApp, phone: string, wamid: string, kinds: ("sent" | "delivered" | "read" | "failed")[], errorCode = 131026) {
  const items = kinds.map((k, i) =>
    status({ wamid, status: k, at: Math.floor(Date.now() / 1000) + i, extra: k === "failed" ? { errors: [{ code: errorCode, title: "x", message: "x" }] } : { pricing: PRICING } }),
  );
  const res = await postWebhook(t, envelope(phone, { statuses: items }));
  expect(res.status).toBe(200);
}

export async function receive(t: TestApp, phone: string, from: string, text = "hi") {
  const wamid = `wamid.in${randomBytes(10).toString("hex")}`;
  const res = await postWebhook(
    t,
    envelope(phone, { contacts: [{ profile: { name: "Ana" }, wa_id: from }], messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }] }),
  );
  expect(res.status).toBe(200);
  return wamid;
}
