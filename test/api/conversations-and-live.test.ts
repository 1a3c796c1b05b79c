// What the console reads: recent conversations and the search that finds them, a
// conversation newest first paged back, and the live stream of changes.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "../../src/http/server.ts";
import { API_KEY, auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { receive, send, statuses } from "../helpers/traffic.ts";
import { until } from "../helpers/wait.ts";
import { bsuid, inboundFrom } from "../helpers/people.ts";
import { envelope, postWebhook } from "../helpers/webhooks.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(() => t.close());

const ids = (body: { data: { person: string }[] }) => body.data.map((c) => c.person);

describe("when support lists conversations", () => {
  it("then each person's latest message comes newest first, with the latest name Meta gave", async () => {
    const phone = phoneNumberId();
    const [a, b, c] = [waId(), waId(), waId()];
    await send(t, phone, a);
    await receive(t, phone, b); // from "Ana"
    await send(t, phone, b);
    await send(t, phone, c);
    const res = await t.http.get("/api/conversations").query({ phoneNumberId: phone }).set(auth);
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([c, b, a]);
    const ana = res.body.data[1];
    expect(ana).toMatchObject({ person: b, waId: b, contactName: "Ana", lastMessage: { direction: "outbound", waId: b } });
    expect(res.body.data[0].contactName).toBeNull();
    expect(ids((await t.http.get("/api/conversations").query({ phoneNumberId: phone, limit: 2 }).set(auth)).body)).toEqual([c, b]);
  });

  it("then a phone number in any formatting, or the start of a name (any case), finds the person; wildcards are plain text", async () => {
    const phone = phoneNumberId();
    const [a, b] = [waId(), waId()];
    await send(t, phone, a);
    await receive(t, phone, b); // from "Ana"
    const formatted = `+${a.slice(0, 1)} (${a.slice(1, 4)}) ${a.slice(4, 7)}-${a.slice(7)}`;
    expect(ids((await t.http.get("/api/conversations").query({ q: formatted }).set(auth)).body)).toEqual([a]);
    expect(ids((await t.http.get("/api/conversations").query({ q: "aN", phoneNumberId: phone }).set(auth)).body)).toEqual([b]);
    expect(ids((await t.http.get("/api/conversations").query({ q: "na", phoneNumberId: phone }).set(auth)).body)).toEqual([]);
    expect(ids((await t.http.get("/api/conversations").query({ q: "%", phoneNumberId: phone }).set(auth)).body)).toEqual([]);
    expect(ids((await t.http.get("/api/conversations").query({ q: "_na" }).set(auth)).body)).toEqual([]);
    expect(ids((await t.http.get("/api/conversations").query({ q: waId() }).set(auth)).body)).toEqual([]);
  });
});

describe("when support searches by a name and the person also wrote with their phone withheld", () => {
  it("then they are one entry, found by name or @username, showing the conversation's latest message", async () => {
    const phone = phoneNumberId();
    const [number, user] = [waId(), bsuid()];
    // Seen with both identifiers once (linking them), then by BSUID only, then a reply by phone.
    expect((await postWebhook(t, envelope(phone, inboundFrom({ phone: number, user, name: "Zoë Quill", username: "zquill" })))).status).toBe(200);
    expect((await postWebhook(t, envelope(phone, inboundFrom({ user, name: "Zoë Quill", username: "zquill" })))).status).toBe(200);
    const reply = await send(t, phone, number);
    for (const q of ["zoë", "@zquill", "ZQU"]) {
      const found = (await t.http.get("/api/conversations").query({ q }).set(auth)).body;
      expect(ids(found), q).toEqual([number]);
      expect(found.data[0]).toMatchObject({ contactName: "Zoë Quill", lastMessage: { id: reply.id, direction: "outbound" } });
    }
    expect(ids((await t.http.get("/api/conversations").query({ phoneNumberId: phone }).set(auth)).body)).toEqual([number]);
  });
});

describe("when a conversation is read newest first", () => {
  it("then the first page is the newest messages and each cursor leads to older ones, to the first", async () => {
    const phone = phoneNumberId();
    const person = waId();
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push((await send(t, phone, person)).id);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const res = await t.http.get(`/api/conversations/${person}`).query({ order: "desc", limit: 2, ...(cursor ? { cursor } : {}) }).set(auth);
      expect(res.status).toBe(200);
      pages.push(res.body.data.map((m: { id: string }) => m.id));
      cursor = res.body.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual([[sent[4], sent[3]], [sent[2], sent[1]], [sent[0]]]);
    const asc = await t.http.get(`/api/conversations/${person}`).query({ limit: 2 }).set(auth);
    expect(asc.body.data.map((m: { id: string }) => m.id)).toEqual([sent[0], sent[1]]);
    expect((await t.http.get(`/api/conversations/${person}`).query({ order: "sideways" }).set(auth)).status).toBe(400);
    // A cursor is read only the way it came: asc's next page cursor is refused by desc, and back.
    const wrongWay = await t.http.get(`/api/conversations/${person}`).query({ order: "desc", cursor: asc.body.nextCursor }).set(auth);
    expect(wrongWay.status).toBe(400);
    expect(wrongWay.body.error.details[0]).toMatchObject({ path: ["cursor"], message: expect.stringContaining("other order") });
    const descFirst = await t.http.get(`/api/conversations/${person}`).query({ order: "desc", limit: 2 }).set(auth);
    expect((await t.http.get(`/api/conversations/${person}`).query({ cursor: descFirst.body.nextCursor }).set(auth)).status).toBe(400);
  });
});

describe("when the console listens to /api/live", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createHttpServer(t.app.express);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("then it needs the key in the Authorization header, not in the URL", async () => {
    expect((await fetch(`${base}/api/live`)).status).toBe(401);
    expect((await fetch(`${base}/api/live?key=${API_KEY}`)).status).toBe(401);
  });

  it("then a send, its statuses and an inbound message each arrive as changes naming the message and the person; closing the streams ends them", async () => {
    const res = await fetch(`${base}/api/live`, { headers: { Authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const changes: { id?: string; wamid?: string; people: string[] }[] = [];
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    const ended = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return true;
        buffer += value;
        let i: number;
        while ((i = buffer.indexOf("\n\n")) >= 0) {
          const event = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const data = /^event: changes\ndata: (.*)$/m.exec(event)?.[1];
          if (data) changes.push(...(JSON.parse(data) as { changes: typeof changes }).changes);
        }
      }
    })();

    const phone = phoneNumberId();
    const person = waId();
    const sent = await send(t, phone, person);
    await until(() => changes, (c) => c.some((x) => x.id === sent.id), 5_000);
    expect(changes.find((x) => x.id === sent.id)!.people).toEqual([person]);
    await statuses(t, phone, sent.wamid!, ["delivered"]);
    await until(() => changes, (c) => c.some((x) => x.wamid === sent.wamid), 5_000);
    const inbound = await receive(t, phone, person);
    await until(() => changes, (c) => c.some((x) => x.wamid === inbound && x.people.includes(person)), 5_000);

    t.app.closeStreams();
    expect(await ended).toBe(true);
    // Shutting down: a new stream is refused (the browser reconnects to another process).
    const late = await fetch(`${base}/api/live`, { headers: { Authorization: `Bearer ${API_KEY}` } });
    expect(late.status).toBe(503);
  });
});
