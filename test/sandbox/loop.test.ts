// `npm start` without credentials: the real process (server.ts) with its emulator plays
// Meta fully — a send comes back as sent, delivered and read webhooks, and an inbound
// message is stored and marked read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { start } from "../../src/server.ts";
import { until } from "../helpers/wait.ts";

let ticks: Awaited<ReturnType<typeof start>>;
let base: string;
let headers: Record<string, string>;

beforeAll(async () => {
  ticks = await start(loadConfig({ PORT: "0", DATA_DIR: "memory://", LOG_LEVEL: "silent" }));
  base = `http://127.0.0.1:${ticks.port}`;
  headers = { Authorization: `Bearer ${ticks.apiKeys[0]}`, "Content-Type": "application/json" };
});
afterAll(() => ticks.stop());

describe("when Ticks runs in sandbox mode", () => {
  it("then a send is followed by signed sent, delivered and read webhooks from the emulator", async () => {
    const res = await fetch(`${base}/v24.0/106540352242922/messages`, {
      method: "POST",
      headers,
      body: JSON.stringify({ messaging_product: "whatsapp", to: "16505551234", type: "text", text: { body: "Hello" } }),
    });
    expect(res.status).toBe(200);
    const wamid = ((await res.json()) as { messages: { id: string }[] }).messages[0]!.id;
    const row = await until(() => ticks.db.prisma.message.findUnique({ where: { wamid } }), (m) => m?.status === "read");
    expect(row).toMatchObject({ status: "read", sentAt: expect.any(Date), deliveredAt: expect.any(Date), readAt: expect.any(Date) });
  });

  it("then an undeliverable test recipient ends failed with Meta's error", async () => {
    const res = await fetch(`${base}/106540352242922/messages`, {
      method: "POST",
      headers,
      body: JSON.stringify({ messaging_product: "whatsapp", to: "15550001002", type: "text", text: { body: "Hello" } }),
    });
    const wamid = ((await res.json()) as { messages: { id: string }[] }).messages[0]!.id;
    const row = await until(() => ticks.db.prisma.message.findUnique({ where: { wamid } }), (m) => m?.status === "failed");
    expect(row?.errors).toEqual([expect.objectContaining({ code: 131026 })]);
  });

  it("then an inbound message from the emulator is stored and marked read", async () => {
    const res = await fetch(`${base}/sandbox/inbound`, { method: "POST", headers, body: JSON.stringify({ text: "Hi there" }) });
    expect(res.status).toBe(200);
    const { wamid } = (await res.json()) as { wamid: string };
    const row = await until(() => ticks.db.prisma.message.findUnique({ where: { wamid } }), (m) => m?.markedReadAt != null);
    expect(row).toMatchObject({ direction: "inbound", contactName: "Sandbox User", markedReadAt: expect.any(Date) });
    const reads = ticks.emulator!.requests.filter((r) => (r.body as { message_id?: string })?.message_id === wamid);
    expect(reads).toHaveLength(1);
  });
});

describe("when the sandbox plays username users", () => {
  const api = async (path: string) => (await fetch(`${base}${path}`, { headers })).json() as Promise<Record<string, unknown>>;

  it("then a send to a BSUID reaches read on statuses that name the BSUID only, with the username", async () => {
    const user = "US.13491208655302741918";
    const res = await fetch(`${base}/106540352242922/messages`, { method: "POST", headers, body: JSON.stringify({ messaging_product: "whatsapp", recipient: user, type: "text", text: { body: "Hello" } }) });
    const wamid = ((await res.json()) as { messages: { id: string }[] }).messages[0]!.id;
    const row = await until(() => ticks.db.prisma.message.findUnique({ where: { wamid } }), (m) => m?.status === "read");
    expect(row).toMatchObject({ to: null, waId: null, userId: user, username: "sandbox.user" });
  });

  it("then the username test recipient's phone and BSUID are linked: either finds the conversation", async () => {
    const res = await fetch(`${base}/106540352242922/messages`, { method: "POST", headers, body: JSON.stringify({ messaging_product: "whatsapp", to: "+1 555 000 1005", type: "text", text: { body: "Hello" } }) });
    const answer = (await res.json()) as { contacts: { user_id: string }[]; messages: { id: string }[] };
    const user = answer.contacts[0]!.user_id;
    expect(user).toMatch(/^US\.\d{20}$/);
    await until(() => ticks.db.prisma.message.findUnique({ where: { wamid: answer.messages[0]!.id } }), (m) => m?.status === "read");
    for (const id of ["15550001005", user]) {
      const page = (await api(`/api/conversations/${id}`)) as { data: { wamid: string }[] };
      expect(page.data.map((m) => m.wamid)).toContain(answer.messages[0]!.id);
    }
  });

  it("then an inbound message from a username user with the phone withheld is stored and marked read", async () => {
    const res = await fetch(`${base}/sandbox/inbound`, { method: "POST", headers, body: JSON.stringify({ text: "Hi, it's me", username: true }) });
    expect(res.status).toBe(200);
    const { wamid, userId } = (await res.json()) as { wamid: string; userId: string };
    const row = await until(() => ticks.db.prisma.message.findUnique({ where: { wamid } }), (m) => m?.markedReadAt != null);
    expect(row).toMatchObject({ direction: "inbound", from: null, waId: null, userId, username: "sandbox.user" });
    expect(((await api(`/api/messages?user=${userId}`)) as { data: { wamid: string }[] }).data.map((m) => m.wamid)).toContain(wamid);
  });
});
