import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphErrorBody } from "../../src/sandbox/emulator.ts";
import { startTestApp, type TestApp } from "../helpers/test-app.ts";
import { until } from "../helpers/wait.ts";
import { envelope, postWebhook } from "../helpers/webhooks.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(() => t.close());

const newWamid = () => `wamid.in${randomBytes(10).toString("hex")}`;
const reads = (app: TestApp, wamid: string) =>
  app.emulator.requests.filter((r) => (r.body as { status?: string; message_id?: string } | null)?.message_id === wamid && (r.body as { status?: string }).status === "read");

function inbound(phone: string, wamid: string, message: Record<string, unknown> = { type: "text", text: { body: "Does it come in another color?" } }) {
  return envelope(phone, {
    contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: "16505551234" }],
    messages: [{ from: "16505551234", id: wamid, timestamp: "1749416383", ...message }],
  });
}

describe("when an inbound message arrives", () => {
  it("then it is stored with its sender, contact name, type, body and Meta's timestamp", async () => {
    const w = newWamid();
    expect((await postWebhook(t, inbound("106540352242922", w))).status).toBe(200);
    const row = await t.db.prisma.message.findUniqueOrThrow({ where: { wamid: w } });
    expect(row).toMatchObject({
      direction: "inbound",
      status: "received",
      phoneNumberId: "106540352242922",
      from: "16505551234",
      waId: "16505551234",
      contactName: "Sheena Nelson",
      type: "text",
      sentAt: new Date(1749416383 * 1000),
      markedReadAt: null,
    });
    expect(row.payload).toMatchObject({ text: { body: "Does it come in another color?" } });
  });

  it.each([
    ["image", { type: "image", image: { mime_type: "image/jpeg", sha256: "4654+8g=", id: "65463453" } }],
    ["a reply with context", { type: "text", text: { body: "yes" }, context: { from: "15550783881", id: "wamid.orig" } }],
    ["interactive", { type: "interactive", interactive: { type: "button_reply", button_reply: { id: "yes", title: "Yes" } } }],
    ["reaction", { type: "reaction", reaction: { message_id: "wamid.orig", emoji: "\u2764" } }],
    ["unsupported", { type: "unsupported", errors: [{ code: 131051, title: "Message type unknown" }] }],
  ])("then an inbound %s keeps Meta's whole item", async (_n, message) => {
    const w = newWamid();
    expect((await postWebhook(t, inbound("106540352242922", w, message))).status).toBe(200);
    const row = await t.db.prisma.message.findUniqueOrThrow({ where: { wamid: w } });
    expect(row.type).toBe(message.type);
    expect(row.payload).toMatchObject(message);
  });

  it("then Meta's duplicate delivery stores it once and owes one receipt", async () => {
    const w = newWamid();
    await postWebhook(t, inbound("106540352242922", w));
    await postWebhook(t, inbound("106540352242922", w));
    expect(await t.db.prisma.message.count({ where: { wamid: w } })).toBe(1);
    expect(await t.db.prisma.readReceipt.count({ where: { wamid: w } })).toBe(1);
  });
});

describe("when AUTO_READ is on", () => {
  it("then the message is marked read through the Cloud API once, and the time is stored", async () => {
    const app = await startTestApp({ testDb: t.testDb, startWorker: true });
    try {
      const w = newWamid();
      await postWebhook(app, inbound("106540352242922", w));
      await until(async () => (await app.db.prisma.message.findUnique({ where: { wamid: w } }))?.markedReadAt != null);
      expect(reads(app, w)).toHaveLength(1);
      expect(reads(app, w)[0]).toMatchObject({ path: "/v24.0/106540352242922/messages", body: { messaging_product: "whatsapp", status: "read", message_id: w } });
    } finally {
      await app.close();
    }
  });

  it("then a Graph failure is retried until Meta takes the receipt", async () => {
    const app = await startTestApp({ testDb: t.testDb, startWorker: true });
    try {
      app.emulator.enqueue(...Array(6).fill({ status: 500, body: graphErrorBody(131000, "Something went wrong") }));
      const w = newWamid();
      await postWebhook(app, inbound("106540352242922", w));
      await until(async () => (await app.db.prisma.message.findUnique({ where: { wamid: w } }))?.markedReadAt != null);
      const job = await app.db.prisma.readReceipt.findFirstOrThrow({ where: { wamid: w } });
      expect(job.attempts).toBeGreaterThanOrEqual(2);
      expect(job.doneAt).not.toBeNull();
      expect(reads(app, w).length).toBe(7); // 6 failures, then success
    } finally {
      await app.close();
    }
  });

  it("then a permanent Graph error gives up and records why on the message", async () => {
    const app = await startTestApp({ testDb: t.testDb, startWorker: true });
    try {
      app.emulator.enqueue({ status: 400, body: graphErrorBody(100, "(#100) Invalid parameter") });
      const w = newWamid();
      await postWebhook(app, inbound("106540352242922", w));
      await until(async () => (await app.db.prisma.readReceipt.findFirst({ where: { wamid: w } }))?.gaveUpAt != null);
      const row = await app.db.prisma.message.findUniqueOrThrow({ where: { wamid: w } });
      expect(row.markedReadAt).toBeNull();
      expect(row.errors).toEqual([expect.objectContaining({ code: "read_receipt_failed", error: expect.objectContaining({ code: 100 }) })]);
    } finally {
      await app.close();
    }
  });

  it("then a receipt past its 24 hours is given up instead of retried", async () => {
    const w = newWamid();
    await postWebhook(t, inbound("106540352242922", w)); // t's worker is not running
    await t.db.prisma.readReceipt.updateMany({ where: { wamid: w }, data: { giveUpAt: new Date(Date.now() - 1) } });
    t.emulator.enqueue(...Array(5).fill({ status: 503, body: graphErrorBody(2, "Service temporarily unavailable") }));
    await t.receipts.kick();
    const job = await t.db.prisma.readReceipt.findFirstOrThrow({ where: { wamid: w } });
    expect(job.gaveUpAt).not.toBeNull();
    expect((await t.db.prisma.message.findUniqueOrThrow({ where: { wamid: w } })).errors).toHaveLength(1);
  });

  it("then a restart between storing the message and sending the receipt loses nothing", async () => {
    const w = newWamid();
    const first = await startTestApp({ testDb: t.testDb }); // stores, never sends (its worker is not started)
    await postWebhook(first, inbound("106540352242922", w));
    await first.close();
    expect(await t.db.prisma.readReceipt.count({ where: { wamid: w, doneAt: null } })).toBe(1);

    const second = await startTestApp({ testDb: t.testDb, startWorker: true });
    try {
      await until(async () => (await second.db.prisma.message.findUnique({ where: { wamid: w } }))?.markedReadAt != null);
      expect(reads(second, w)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it("then a receipt claimed by a process that died is taken up again when its lease ends", async () => {
    const w = newWamid();
    await postWebhook(t, inbound("106540352242922", w));
    // A process claims the job and dies before calling Meta: simulate its claim.
    await t.db.prisma.readReceipt.updateMany({ where: { wamid: w }, data: { attempts: 1, nextAttemptAt: new Date(Date.now() + 300) } });
    const app = await startTestApp({ testDb: t.testDb, startWorker: true });
    try {
      await until(async () => (await app.db.prisma.message.findUnique({ where: { wamid: w } }))?.markedReadAt != null);
      expect(reads(app, w)).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it("then two Ticks processes on one database send each receipt once", async () => {
    const a = await startTestApp({ testDb: t.testDb, startWorker: true });
    const b = await startTestApp({ testDb: t.testDb, startWorker: true });
    try {
      const wamids = Array.from({ length: 30 }, newWamid);
      await Promise.all(wamids.map((w, i) => postWebhook(i % 2 ? a : b, inbound("106540352242922", w))));
      await until(async () => (await t.db.prisma.message.count({ where: { wamid: { in: wamids }, markedReadAt: { not: null } } })) === wamids.length);
      for (const w of wamids) expect(reads(a, w).length + reads(b, w).length).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("when AUTO_READ is off", () => {
  it("then inbound messages are stored and no receipt is owed", async () => {
    const app = await startTestApp({ testDb: t.testDb, autoRead: false });
    try {
      const w = newWamid();
      await postWebhook(app, inbound("106540352242922", w));
      expect(await app.db.prisma.message.count({ where: { wamid: w } })).toBe(1);
      expect(await app.db.prisma.readReceipt.count({ where: { wamid: w } })).toBe(0);
    } finally {
      await app.close();
    }
  });
});
