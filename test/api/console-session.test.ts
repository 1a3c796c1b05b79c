// The console's password: kept as a scrypt hash, traded for a session token that reads /api
// (but neither sends nor changes the relay), refused when wrong, limited when guessed at.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleSessions, hashPassword, SESSION_MS, verifyPassword } from "../../src/console/password.ts";
import { APP_SECRET, auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";

const PASSWORD = "correct horse battery staple";
let hash: string;
let t: TestApp;
let without: TestApp;
beforeAll(async () => {
  hash = await hashPassword(PASSWORD);
  [t, without] = await Promise.all([startTestApp({ consolePasswordHash: hash }), startTestApp()]);
});
afterAll(() => Promise.all([t.close(), without.close()]));

describe("when a password is hashed for CONSOLE_PASSWORD_HASH", () => {
  it("then only that password verifies, and the hash never holds it", async () => {
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, hash)).toBe(false);
    expect(await hashPassword(PASSWORD)).not.toBe(hash); // salted
  });

  it("then its session tokens are valid until they expire, and not under another password's hash, another server secret, or altered", async () => {
    let now = Date.now();
    const sessions = consoleSessions(hash, APP_SECRET, () => now);
    const { token } = sessions.issue();
    expect(sessions.valid(token)).toBe(true);
    expect(consoleSessions(await hashPassword("another password entirely"), APP_SECRET).valid(token)).toBe(false);
    expect(consoleSessions(hash, "another server secret").valid(token)).toBe(false); // the hash alone makes no token
    // One issued (with the right key) to expire later than a session lasts is refused.
    const early = consoleSessions(hash, APP_SECRET, () => now + 2 * SESSION_MS).issue().token;
    expect(sessions.valid(early)).toBe(false);
    expect(sessions.valid(token.replace(/.$/, (c) => (c === "A" ? "B" : "A")))).toBe(false);
    expect(sessions.valid(token.replace(/_([0-9a-z]+)\./, (_m, exp: string) => `_${(parseInt(exp, 36) + 1).toString(36)}.`))).toBe(false);
    now += SESSION_MS + 1;
    expect(sessions.valid(token)).toBe(false);
  });
});

describe("when the console signs in with the password", () => {
  it("then the right one gets a token that reads /api; a wrong one is a 401", async () => {
    expect((await t.http.post("/api/console/session").send({ password: "wrong" })).status).toBe(401);
    const res = await t.http.post("/api/console/session").send({ password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token: expect.stringMatching(/^ticks_console_/), expiresAt: expect.any(String) });
    const bearer = { Authorization: `Bearer ${res.body.token}` };
    expect((await t.http.get("/api/messages").set(bearer)).status).toBe(200);
    expect((await t.http.get("/api/conversations").set(bearer)).status).toBe(200);
    expect((await t.http.get("/api/subscriptions").set(bearer)).status).toBe(200);
    expect((await t.http.get("/api/deliveries").query({ message: "wamid.x" }).set(bearer)).status).toBe(200);
  });

  it("then the token neither sends nor changes the relay: those take an API key", async () => {
    const { token } = (await t.http.post("/api/console/session").send({ password: PASSWORD })).body;
    const bearer = { Authorization: `Bearer ${token}` };
    const sent = await t.http.post(`/${phoneNumberId()}/messages`).set(bearer).send({ messaging_product: "whatsapp", to: waId(), type: "text", text: { body: "hi" } });
    expect(sent.status).toBe(401);
    expect((await t.http.post("/api/subscriptions").set(bearer).send({ url: "http://127.0.0.1:9/hook", format: "ticks" })).status).toBe(401);
    expect((await t.http.post("/api/subscriptions").set(auth).send({ url: "http://127.0.0.1:9/hook", format: "ticks" })).status).toBe(201);
  });

  it("then without a configured password it is a 404 saying to use an API key", async () => {
    const res = await without.http.post("/api/console/session").send({ password: PASSWORD });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/API key/);
  });

  it("then wrong passwords sent all at once get no more than ten checks; the rest are 429", async () => {
    const guesser = await startTestApp({ consolePasswordHash: hash });
    try {
      const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => guesser.http.post("/api/console/session").send({ password: `guess ${i}` })));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
      expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
    } finally {
      await guesser.close();
    }
  });

  it("then ten wrong passwords in a minute get 429 with Retry-After, even for the right one", async () => {
    const guesser = await startTestApp({ consolePasswordHash: hash });
    try {
      for (let i = 0; i < 10; i++) expect((await guesser.http.post("/api/console/session").send({ password: `guess ${i}` })).status).toBe(401);
      const limited = await guesser.http.post("/api/console/session").send({ password: PASSWORD });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    } finally {
      await guesser.close();
    }
  });
});
