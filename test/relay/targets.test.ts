// With no subscription the webhook path queues nothing for the relay (it leaves those parts
// out of its statements); a subscription made through the API takes what comes next at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth, phoneNumberId, startTestApp, type TestApp } from "../helpers/test-app.ts";
import { newWamid, subscribe } from "../helpers/relay.ts";
import { envelope, postWebhook, status, statusesPayload } from "../helpers/webhooks.ts";
import { inboundFrom } from "../helpers/people.ts";
import { send } from "../helpers/traffic.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp({ relayTargets: true })));
afterAll(() => t.close());

const now = () => Math.floor(Date.now() / 1000);
const queued = async () => ({ deliveries: await t.db.prisma.delivery.count(), posts: await t.db.prisma.relayedPost.count() });

describe("given no subscription", () => {
  it("then statuses, inbound messages and Meta's acceptance of sends are applied and nothing is queued; once one exists, the next ones are", async () => {
    const phone = phoneNumberId();
    const a = newWamid();
    expect((await postWebhook(t, statusesPayload(phone, [status({ wamid: a, status: "sent", at: now() })]))).status).toBe(200);
    expect((await postWebhook(t, envelope(phone, inboundFrom({ phone: "16505550123" })))).status).toBe(200);
    const quiet = await send(t, phone, "16505550124");
    expect(quiet.status).toBe(200);
    expect(await t.db.prisma.message.findUnique({ where: { wamid: a } })).toMatchObject({ status: "sent" });
    expect(await t.db.prisma.message.findUnique({ where: { id: quiet.id } })).toMatchObject({ status: "accepted", wamid: quiet.wamid });
    expect(await queued()).toEqual({ deliveries: 0, posts: 0 });

    await subscribe(t, { url: "http://127.0.0.1:9/hook", format: "ticks" });
    await subscribe(t, { url: "http://127.0.0.1:9/hook", format: "meta" });
    expect((await postWebhook(t, statusesPayload(phone, [status({ wamid: a, status: "delivered", at: now() + 1 })]))).status).toBe(200);
    expect((await postWebhook(t, envelope(phone, inboundFrom({ phone: "16505550123" })))).status).toBe(200);
    const relayed = await send(t, phone, "16505550124");
    const rows = await t.db.prisma.delivery.findMany({ orderBy: { id: "asc" }, select: { eventType: true, orderKey: true } });
    expect(rows.map((r) => r.eventType).sort()).toEqual(["message.received", "message.status.updated", "message.status.updated", "meta", "meta"]);
    expect(rows.filter((r) => r.orderKey === relayed.wamid)).toHaveLength(1); // its acceptance
    expect((await t.http.get("/api/subscriptions").set(auth)).body.data).toHaveLength(2);
  });
});
