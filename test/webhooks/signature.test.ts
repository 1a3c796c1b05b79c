import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign, verifySignature } from "../../src/webhooks/signature.ts";
import { startTestApp, VERIFY_TOKEN, type TestApp } from "../helpers/test-app.ts";
import { envelope, postWebhook, status, statusesPayload } from "../helpers/webhooks.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(() => t.close());

describe("when Meta's signature test vectors are checked", () => {
  const vectors: [string, Buffer, string][] = [
    ["an empty envelope", Buffer.from('{"object":"whatsapp_business_account","entry":[]}'), "dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756"],
    ["an escaped é", Buffer.from('{"text":{"body":"caf\\u00e9"}}'), "d36eb0f4e8ed7a1458654758c875f8906c154262156b732bbdf52856281cd3fb"],
    ["a literal UTF-8 é", Buffer.from('{"text":{"body":"café"}}', "utf8"), "d0c411924f46299702b190bbe4b5da59c4bb5641ea114e4e11535ad85929c4f0"],
  ];
  it.each(vectors)("then %s verifies with its own digest only", (_n, body, hex) => {
    expect(sign(body, "test_app_secret")).toBe(`sha256=${hex}`);
    expect(verifySignature(body, `sha256=${hex}`, "test_app_secret")).toBe(true);
    expect(verifySignature(body, `sha256=${hex}`, "other_secret")).toBe(false);
  });

  it.each([
    ["no header", undefined],
    ["an empty header", ""],
    ["no sha256= prefix", "dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756"],
    ["a short digest", "sha256=dec6"],
    ["a long digest", "sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c63375600"],
    ["sha1", "sha1=dec6a680679a968e7e0319355b23599cbfc54502"],
  ])("then %s is refused without throwing", (_n, header) => {
    expect(verifySignature(Buffer.from('{"object":"whatsapp_business_account","entry":[]}'), header, "test_app_secret")).toBe(false);
  });
});

describe("when Meta verifies the callback URL", () => {
  it("then the right token gets the challenge back as plain text", async () => {
    const res = await t.http.get("/webhook").query({ "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444" });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.text).toBe("1158201444");
  });

  it.each([
    ["a wrong token", { "hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1" }],
    ["a wrong mode", { "hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1" }],
    ["no challenge", { "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN }],
  ])("then %s gets 403", async (_n, query) => {
    expect((await t.http.get("/webhook").query(query)).status).toBe(403);
  });
});

describe("when a webhook POST arrives", () => {
  const wamid = () => `wamid.sig${Math.random().toString(36).slice(2)}`;
  const payload = (w: string) => statusesPayload("106540352242922", [status({ wamid: w, status: "sent", at: 1_750_000_000 })]);
  const count = (w: string) => t.db.prisma.statusEvent.count({ where: { wamid: w } });

  it("then a right signature is applied", async () => {
    const w = wamid();
    expect((await postWebhook(t, payload(w))).status).toBe(200);
    expect(await count(w)).toBe(1);
  });

  it("then no signature is a 401 and nothing is stored", async () => {
    const w = wamid();
    const res = await t.http.post("/webhook").set("Content-Type", "application/json").send(JSON.stringify(payload(w)));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
    expect(await count(w)).toBe(0);
  });

  it("then a signature by another secret is a 401 and nothing is stored", async () => {
    const w = wamid();
    expect((await postWebhook(t, payload(w), { secret: "not_the_secret" })).status).toBe(401);
    expect(await count(w)).toBe(0);
  });

  it("then a body altered by one byte after signing is a 401 and nothing is stored", async () => {
    const w = wamid();
    const body = JSON.stringify(payload(w));
    const altered = body.replace('"sent"', '"read"');
    const res = await t.http.post("/webhook").set("Content-Type", "application/json").set("X-Hub-Signature-256", sign(body, "test_app_secret")).send(altered);
    expect(res.status).toBe(401);
    expect(await t.db.prisma.statusEvent.count({ where: { wamid: w } })).toBe(0);
  });

  it("then the signature is checked over the raw bytes (é escaped or not), not re-serialised JSON", async () => {
    const w = wamid();
    const raw = JSON.stringify(payload(w)).replace('"recipient_id"', '"note":"caf\\u00e9","recipient_id"');
    expect((await postWebhook(t, null, { raw })).status).toBe(200);
    expect(await count(w)).toBe(1);
  });

  it("then signed bytes that are not JSON get 400 with a reason", async () => {
    const res = await postWebhook(t, null, { raw: "{not json" });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/not JSON/);
  });

  it.each([
    ["an array", []],
    ["no entry", { object: "whatsapp_business_account" }],
    ["entry not an array", { object: "whatsapp_business_account", entry: {} }],
    ["no object", { entry: [] }],
  ])("then signed JSON that is not an envelope (%s) gets 400 with a reason", async (_n, body) => {
    const res = await postWebhook(t, body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/not a webhook envelope/);
  });

  it("then a body over BODY_LIMIT gets 413", async () => {
    const small = await startTestApp({ bodyLimit: "1kb", testDb: t.testDb });
    try {
      const big = envelope("1", { statuses: [status({ wamid: wamid(), status: "sent", at: 1, extra: { pad: "x".repeat(2_000) } })] });
      expect((await postWebhook(small, big)).status).toBe(413);
    } finally {
      await small.close();
    }
  });
});
