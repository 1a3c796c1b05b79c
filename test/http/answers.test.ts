// Ticks' own answers say what Ticks expects: unknown paths point at /openapi.json, the
// drop-in 401 names the Ticks API key, a bad phone-number-id is named, and a 500 shows no
// internals.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(() => t.close());

describe("when a browser opens Ticks' root", () => {
  it("then / leads to the console, whose page is served without a key", async () => {
    const root = await t.http.get("/");
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe("/console/");
    const page = await t.http.get("/console/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.text).toContain("<title>Ticks console</title>");
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
  });
});

describe("when a path does not exist", () => {
  it.each(["/nope", "/api/nope", "/messages", "/console/nope.js"])("then GET %s is a 404 in Ticks' shape pointing at /openapi.json", async (path) => {
    const res = await t.http.get(path).set(auth); // /api/* answers 401 before 404 without a key
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "not_found", message: expect.stringContaining("/openapi.json") });
  });

  it.each(["/v24.0/123/phone_numbers", "/106540352242922/media"])("then %s, shaped like Graph's, is a 404 in Meta's shape", async (path) => {
    const res = await t.http.get(path).set(auth);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 100, type: "OAuthException", message: expect.stringContaining("/openapi.json"), fbtrace_id: expect.any(String) });
  });
});

describe("when the drop-in endpoint is called wrongly", () => {
  it("then a missing or unknown key is Meta's 401 (code 190) saying it wants a Ticks API key", async () => {
    for (const req of [t.http.post(`/${phoneNumberId()}/messages`), t.http.post(`/${phoneNumberId()}/messages`).set("Authorization", "Bearer EAAGmeta")]) {
      const res = await req.send({ messaging_product: "whatsapp", to: waId(), type: "text", text: { body: "hi" } });
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: 190, type: "OAuthException", message: expect.stringContaining("Ticks API key") });
    }
  });

  it.each(["/abc/messages", "/v24.0/my-number/messages"])("then POST %s names the phone-number-id that is not a number", async (path) => {
    const res = await t.http.post(path).set(auth).send({ messaging_product: "whatsapp", to: waId(), type: "text", text: { body: "hi" } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 100, error_data: { details: expect.stringMatching(/phone-number-id .* got "(abc|my-number)"/) } });
  });

  it("then POST /api/messages is not taken for a phone-number-id", async () => {
    const res = await t.http.post("/api/messages").set(auth).send({});
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});

describe("when something inside Ticks breaks", () => {
  it("then Ticks' API answers 500 with a request id and no internals", async () => {
    const spy = vi.spyOn(t.db.prisma, "$queryRaw").mockRejectedValueOnce(new Error("secret internals: relation x at /srv/ticks"));
    try {
      const res = await t.http.get("/api/stats").set(auth);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: "internal", message: "Internal error", requestId: res.headers["x-request-id"] } });
    } finally {
      spy.mockRestore();
    }
  });

  it("then the drop-in endpoint answers Meta's 500 (code 1) with no internals", async () => {
    const spy = vi.spyOn(t.db, "execute").mockRejectedValueOnce(new Error("secret internals: duplicate key"));
    try {
      const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send({ messaging_product: "whatsapp", to: waId(), type: "text", text: { body: "hi" } });
      expect(res.status).toBe(500);
      expect(res.body.error).toMatchObject({ code: 1, message: "(#1) An unknown error occurred", fbtrace_id: res.headers["x-request-id"] });
      expect(JSON.stringify(res.body)).not.toContain("secret");
    } finally {
      spy.mockRestore();
    }
  });
});
