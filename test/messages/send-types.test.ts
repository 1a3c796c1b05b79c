import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendBodies } from "../fixtures/send-bodies.ts";
import { auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(() => t.close());

describe("when a caller sends a message of each Cloud API type", () => {
  const to = waId();
  for (const [name, body] of Object.entries(sendBodies(to))) {
    it(`then ${name} reaches Meta unchanged and is stored as accepted`, async () => {
      const phone = phoneNumberId();
      const before = t.emulator.requests.length;
      const res = await t.http.post(`/v23.0/${phone}/messages`).set(auth).send(body);

      expect(res.status).toBe(200);
      const wamid = res.body.messages[0].id as string;
      expect(res.body).toMatchObject({ messaging_product: "whatsapp", contacts: [{ input: to, wa_id: to }] });
      const forwarded = t.emulator.requests.slice(before);
      expect(forwarded).toHaveLength(1);
      expect(forwarded[0]!.path).toBe(`/v23.0/${phone}/messages`);
      expect(forwarded[0]!.body).toEqual(body);
      expect(forwarded[0]!.headers.authorization).toBe("Bearer test-access-token");

      const row = await t.db.prisma.message.findUniqueOrThrow({ where: { id: res.headers["x-ticks-message-id"] } });
      expect(row).toMatchObject({
        wamid,
        direction: "outbound",
        status: "accepted",
        phoneNumberId: phone,
        to,
        waId: to,
        type: body.type,
        payload: body,
        graphVersion: "v23.0",
      });
      expect(row.acceptedAt).toBeInstanceOf(Date);
      expect(row.bizOpaqueCallbackData).toBe(body.biz_opaque_callback_data ?? null);
      const events = await t.db.prisma.statusEvent.findMany({ where: { wamid } });
      expect(events.map((e) => e.status)).toEqual(["accepted"]);
    });
  }

  it("then a path without a version is forwarded with GRAPH_API_VERSION", async () => {
    const phone = phoneNumberId();
    const before = t.emulator.requests.length;
    const res = await t.http.post(`/${phone}/messages`).set(auth).send(sendBodies(to).text!);
    expect(res.status).toBe(200);
    expect(t.emulator.requests.slice(before).map((r) => r.path)).toEqual([`/v24.0/${phone}/messages`]);
  });

  it("then a body without type is sent as text, as Meta does", async () => {
    const body = { messaging_product: "whatsapp", to, text: { body: "no type" } };
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(body);
    expect(res.status).toBe(200);
    const row = await t.db.prisma.message.findUniqueOrThrow({ where: { id: res.headers["x-ticks-message-id"] } });
    expect(row.type).toBe("text");
  });

  it("then a template send passes Meta's message_status back", async () => {
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(sendBodies(to).template!);
    expect(res.body.messages[0].message_status).toBe("accepted");
  });
});

describe("when a caller marks an inbound message as read", () => {
  it("then the body goes to Meta on the caller's version and Meta's answer comes back, unstored", async () => {
    const phone = phoneNumberId();
    const body = { messaging_product: "whatsapp", status: "read", message_id: "wamid.inbound1", typing_indicator: { type: "text" } };
    const before = t.emulator.requests.length;
    const count = await t.db.prisma.message.count();
    const res = await t.http.post(`/v22.0/${phone}/messages`).set(auth).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect(res.headers["x-ticks-message-id"]).toBeUndefined();
    expect(t.emulator.requests.slice(before)).toMatchObject([{ path: `/v22.0/${phone}/messages`, body }]);
    expect(await t.db.prisma.message.count()).toBe(count);
  });

  it("then a mark-as-read without message_id is refused before Meta", async () => {
    const before = t.emulator.requests.length;
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send({ messaging_product: "whatsapp", status: "read" });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 100, error_data: { details: expect.stringContaining("message_id") } });
    expect(t.emulator.requests.length).toBe(before);
  });
});
