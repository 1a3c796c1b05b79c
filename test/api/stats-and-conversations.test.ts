import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_RECIPIENTS } from "../../src/sandbox/emulator.ts";
import { auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { receive, send, statuses } from "../helpers/traffic.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(() => t.close());

describe("when a team asks for the delivery funnel of a window", () => {
  it("then it gets counts per status, sent → delivered → read with rates, and failures by error code", async () => {
    const phone = phoneNumberId();
    const since = new Date(Date.now() - 1000).toISOString();
    const out = [];
    for (let i = 0; i < 6; i++) out.push(await send(t, phone, waId()));
    await statuses(t, phone, out[0]!.wamid!, ["sent", "delivered", "read"]);
    await statuses(t, phone, out[1]!.wamid!, ["read"]); // read with no delivered: still counts as delivered
    await statuses(t, phone, out[2]!.wamid!, ["sent", "delivered"]);
    await statuses(t, phone, out[3]!.wamid!, ["sent"]);
    await statuses(t, phone, out[4]!.wamid!, ["failed"], 131026);
    // out[5] stays accepted
    await send(t, phone, TEST_RECIPIENTS.windowClosed);
    await receive(t, phone, waId());

    const res = await t.http.get("/api/stats").query({ since, phoneNumberId: phone }).set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      phoneNumberId: phone,
      outbound: 7,
      inbound: 1,
      byStatus: { read: 2, delivered: 1, sent: 1, failed: 2, accepted: 1, received: 1 },
      funnel: { sent: 4, delivered: 3, read: 2, failed: 2, deliveredRate: 0.75, readRate: 0.6667 },
    });
    expect(res.body.failuresByCode).toEqual(expect.arrayContaining([{ code: "131026", count: 1 }, { code: "131047", count: 1 }]));

    const empty = await t.http.get("/api/stats").query({ since: "2001-01-01T00:00:00Z", until: "2001-01-02T00:00:00Z", phoneNumberId: phone }).set(auth);
    expect(empty.body).toMatchObject({ outbound: 0, inbound: 0, byStatus: {}, funnel: { sent: 0, deliveredRate: null } });
  });

  it("then a window that ends before it starts is a 400", async () => {
    const res = await t.http.get("/api/stats").query({ since: "2026-01-02T00:00:00Z", until: "2026-01-01T00:00:00Z" }).set(auth);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain("since");
  });
});

describe("when support opens the conversation with one person", () => {
  it("then both directions come back in time order, paged", async () => {
    const phone = phoneNumberId();
    const person = waId();
    const a = await send(t, phone, person);
    const b = await receive(t, phone, person, "thanks!");
    const c = await send(t, phone, `+${person}`);
    await send(t, phone, waId()); // someone else
    const res = await t.http.get(`/api/conversations/${person}`).set(auth);
    expect(res.status).toBe(200);
    expect(res.body.data.map((m: { id: string; wamid: string }) => (m.id === a.id ? "a" : m.wamid === b ? "b" : m.id === c.id ? "c" : "?"))).toEqual(["a", "b", "c"]);
    expect(res.body.data.map((m: { direction: string }) => m.direction)).toEqual(["outbound", "inbound", "outbound"]);

    const page1 = await t.http.get(`/api/conversations/${person}`).query({ limit: 2 }).set(auth);
    const page2 = await t.http.get(`/api/conversations/${person}`).query({ limit: 2, cursor: page1.body.nextCursor }).set(auth);
    expect([...page1.body.data, ...page2.body.data].map((m: { id: string }) => m.id)).toEqual(res.body.data.map((m: { id: string }) => m.id));
    expect(page2.body.nextCursor).toBeNull();
  });

  it("then an id that is not a phone number is a 400", async () => {
    expect((await t.http.get("/api/conversations/bob").set(auth)).status).toBe(400);
  });
});
