// No secret and no full phone number reaches the log, on any route, even at the most
// verbose level: the request log writes the path without its query string, and masks a
// phone number in a path of Ticks' own API to its last four digits.
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loggedPath } from "../../src/http/request-log.ts";
import { maskPhone, maskWamid } from "../../src/logger.ts";
import { ACCESS_TOKEN, API_KEY, APP_SECRET, auth, phoneNumberId, startTestApp, VERIFY_TOKEN, type TestApp } from "../helpers/test-app.ts";
import { until } from "../helpers/wait.ts";
import { envelope, postWebhook, status, statusesPayload } from "../helpers/webhooks.ts";
import { inboundFrom } from "../helpers/people.ts";

const lines: string[] = [];
const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(...chunk.toString().split("\n").filter(Boolean)), done()) });
let t: TestApp;
beforeAll(async () => void (t = await startTestApp({ log: pino({ level: "trace" }, sink), startWorker: true })));
afterAll(() => t.close());

const PERSON = "16505559876";
const SECRETS = [API_KEY, ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN, PERSON];

describe("when every route is called with secrets and a phone number in it", () => {
  it("then the log has a line per request, and none of them holds a secret or the full number", async () => {
    const phone = phoneNumberId();
    const calls: [string, () => PromiseLike<{ status: number }>][] = [
      ["send", () => t.http.post(`/${phone}/messages`).set(auth).send({ messaging_product: "whatsapp", to: `+${PERSON}`, type: "text", text: { body: "hi" } })],
      ["send with version", () => t.http.post(`/v24.0/${phone}/messages`).set(auth).send({ messaging_product: "whatsapp", to: PERSON, type: "text", text: { body: "hi" } })],
      ["send refused", () => t.http.post(`/${phone}/messages`).set("Authorization", `Bearer ${ACCESS_TOKEN}`).send({ to: PERSON })],
      ["handshake", () => t.http.get("/webhook").query({ "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42" })],
      ["handshake refused", () => t.http.get("/webhook").query({ "hub.mode": "subscribe", "hub.verify_token": `${VERIFY_TOKEN}x`, "hub.challenge": "42" })],
      ["status webhook", () => postWebhook(t, statusesPayload(phone, [status({ wamid: "wamid.redact", status: "sent", at: 1_750_000_000, to: PERSON })]))],
      ["inbound webhook", () => postWebhook(t, envelope(phone, inboundFrom({ phone: PERSON })))],
      ["unsigned webhook", () => t.http.post("/webhook").set("Content-Type", "application/json").send(JSON.stringify({ object: "x", entry: [{ to: PERSON }] }))],
      ["lookup", () => t.http.get("/api/messages/wamid.redact").set(auth)],
      ["list by to", () => t.http.get("/api/messages").query({ to: `+${PERSON}` }).set(auth)],
      ["list by from", () => t.http.get("/api/messages").query({ from: PERSON }).set(auth)],
      ["list by user", () => t.http.get("/api/messages").query({ user: PERSON }).set(auth)],
      ["conversation", () => t.http.get(`/api/conversations/${PERSON}`).set(auth)],
      ["conversation, formatted", () => t.http.get(`/api/conversations/${encodeURIComponent(`+1 650 555 9876`)}`).set(auth)],
      ["stats", () => t.http.get("/api/stats").set(auth)],
      ["openapi", () => t.http.get("/openapi.json")],
      ["unknown path", () => t.http.get(`/nowhere/${PERSON}`).query({ to: PERSON })],
      ["wrong key", () => t.http.get(`/api/conversations/${PERSON}`).set("Authorization", `Bearer ${APP_SECRET}`)],
    ];
    for (const [name, call] of calls) expect((await call()).status, name).toBeLessThan(500);
    await until(() => lines.filter((l) => l.includes('"request completed"')).length >= calls.length);
    // The inbound message's read receipt went out (its worker logs at debug and trace too).
    await until(() => t.emulator.requests.some((r) => (r.body as { status?: string }).status === "read"));
    const log = lines.join("\n");
    for (const secret of SECRETS) expect(log).not.toContain(secret);
    expect(log).toContain("*******9876");
    expect(log).not.toMatch(/hub\.|verify_token|\?/);
  });
});

describe("when a path is logged", () => {
  it.each([
    ["/api/conversations/16505559876", "/api/conversations/*******9876"],
    ["/api/conversations/%2B1%20650%20555%209876", "/api/conversations/*******9876"],
    ["/api/conversations/US.13491208655302741918", "/api/conversations/US.13491208655302741918"],
    ["/106540352242922/messages", "/106540352242922/messages"],
    // A wamid encodes the phone number (this one: 16503879439): logged as a short hash.
    ["/api/messages/wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRB", `/api/messages/${maskWamid("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRB")}`],
  ])("then %s is logged as %s", (path, logged) => expect(loggedPath(path)).toBe(logged));

  it("then a masked wamid is a stable short hash, and a masked number keeps its last four digits", () => {
    expect(maskWamid("wamid.HBgL")).toMatch(/^wamid#[0-9a-f]{12}$/);
    expect(maskWamid("wamid.HBgL")).toBe(maskWamid("wamid.HBgL"));
    expect(maskPhone("+1 (650) 555-1234")).toBe("*******1234");
    expect(maskPhone("123")).toBe("****");
  });
});
