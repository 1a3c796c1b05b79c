// The OpenAPI document is generated from the zod schemas; this checks that the real
// answers of every endpoint validate against it (JSON Schema 2020-12, as OpenAPI 3.1 uses).
import Ajv2020 from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { receive, send, statuses } from "../helpers/traffic.ts";

let t: TestApp;
let validate: (path: string, status: string, body: unknown, method?: string) => void;

beforeAll(async () => {
  t = await startTestApp();
  const doc = (await t.http.get("/openapi.json")).body;
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  ajv.addFormat("date-time", (s: string) => !Number.isNaN(Date.parse(s)));
  ajv.addFormat("uuid", /^[0-9a-f-]{36}$/i);
  ajv.addSchema({ ...doc, $id: "ticks" });
  validate = (path, status, body, method = "get") => {
    const ok = ajv.validate({ $ref: `ticks#/paths/${path.replace(/\//g, "~1")}/${method}/responses/${status}/content/application~1json/schema` }, body);
    expect(ajv.errors ?? [], JSON.stringify(body).slice(0, 300)).toEqual([]);
    expect(ok).toBe(true);
  };
});
afterAll(() => t.close());

describe("when a client reads /openapi.json", () => {
  it("then it is an OpenAPI 3.1 document of every endpoint, open to anyone", async () => {
    const res = await t.http.get("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths).sort()).toEqual([
      "/api/console/session",
      "/api/conversations",
      "/api/conversations/{id}",
      "/api/deliveries",
      "/api/deliveries/{id}/retry",
      "/api/live",
      "/api/messages",
      "/api/messages/{id}",
      "/api/stats",
      "/api/subscriptions",
      "/api/subscriptions/{id}",
      "/api/subscriptions/{id}/deliveries",
      "/api/subscriptions/{id}/retry",
    ]);
    expect(Object.keys(res.body.webhooks).sort()).toEqual(["message.received", "message.status.updated"]);
    expect(res.body.paths["/api/messages"].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["direction", "status", "to", "from", "user", "phoneNumberId", "since", "until", "limit", "cursor"]),
    );
    const conversation = res.body.paths["/api/conversations/{id}"].get.parameters.find((p: { name: string }) => p.name === "id");
    expect(conversation).toMatchObject({ in: "path", required: true });
    expect(conversation.description).toMatch(/BSUID/);
    expect(Object.keys(res.body.components.schemas.Message.properties)).toEqual(expect.arrayContaining(["to", "from", "waId", "userId", "parentUserId", "username"]));
  });

  it("then the real answers of every endpoint validate against it", async () => {
    const phone = phoneNumberId();
    const person = waId();
    const sent = await send(t, phone, person, { biz_opaque_callback_data: "x" });
    await statuses(t, phone, sent.wamid!, ["sent", "delivered", "read"]);
    const failed = await send(t, phone, waId());
    await statuses(t, phone, failed.wamid!, ["failed"]);
    await receive(t, phone, person);

    validate("/api/messages/{id}", "200", (await t.http.get(`/api/messages/${sent.id}`).set(auth)).body);
    validate("/api/messages/{id}", "200", (await t.http.get(`/api/messages/${failed.id}`).set(auth)).body);
    validate("/api/messages/{id}", "404", (await t.http.get(`/api/messages/wamid.none`).set(auth)).body);
    validate("/api/messages", "200", (await t.http.get("/api/messages").query({ phoneNumberId: phone, limit: 2 }).set(auth)).body);
    validate("/api/messages", "400", (await t.http.get("/api/messages").query({ limit: -1 }).set(auth)).body);
    validate("/api/messages", "401", (await t.http.get("/api/messages")).body);
    validate("/api/conversations/{id}", "200", (await t.http.get(`/api/conversations/${person}`).set(auth)).body);
    validate("/api/conversations/{id}", "200", (await t.http.get(`/api/conversations/${person}`).query({ order: "desc", limit: 1 }).set(auth)).body);
    validate("/api/conversations/{id}", "400", (await t.http.get(`/api/conversations/bob`).set(auth)).body);
    for (const q of [{}, { q: person }, { q: "Ali" }, { phoneNumberId: phone, limit: 5 }]) {
      validate("/api/conversations", "200", (await t.http.get("/api/conversations").query(q).set(auth)).body);
    }
    validate("/api/conversations", "400", (await t.http.get("/api/conversations").query({ limit: 0 }).set(auth)).body);
    validate("/api/messages", "200", (await t.http.get("/api/messages").query({ user: "US.13491208655302741918" }).set(auth)).body);
    validate("/api/stats", "200", (await t.http.get("/api/stats").query({ phoneNumberId: phone }).set(auth)).body);

    const sub = await t.http.post("/api/subscriptions").set(auth).send({ url: "http://127.0.0.1:9/hook", format: "ticks", phoneNumberIds: [phone] });
    validate("/api/subscriptions", "201", sub.body, "post");
    validate("/api/subscriptions", "400", (await t.http.post("/api/subscriptions").set(auth).send({ url: "ftp://x" })).body, "post");
    validate("/api/subscriptions", "200", (await t.http.get("/api/subscriptions").set(auth)).body);
    validate("/api/subscriptions/{id}", "200", (await t.http.get(`/api/subscriptions/${sub.body.id}`).set(auth)).body);
    validate("/api/subscriptions/{id}", "404", (await t.http.get(`/api/subscriptions/${crypto.randomUUID()}`).set(auth)).body);
    validate("/api/subscriptions/{id}", "200", (await t.http.patch(`/api/subscriptions/${sub.body.id}`).set(auth).send({ disabled: false })).body, "patch");
    const inbound = await receive(t, phone, person); // one more event, for a delivery to list
    const ofMessage = (await t.http.get("/api/deliveries").query({ message: inbound }).set(auth)).body;
    expect(ofMessage.data).toHaveLength(1);
    validate("/api/deliveries", "200", ofMessage);
    validate("/api/deliveries", "400", (await t.http.get("/api/deliveries").set(auth)).body);
    const page = (await t.http.get(`/api/subscriptions/${sub.body.id}/deliveries`).set(auth)).body;
    expect(page.data.length).toBeGreaterThan(0);
    validate("/api/subscriptions/{id}/deliveries", "200", page);
    validate("/api/subscriptions/{id}/retry", "202", (await t.http.post(`/api/subscriptions/${sub.body.id}/retry`).set(auth)).body, "post");
    validate("/api/deliveries/{id}/retry", "202", (await t.http.post(`/api/deliveries/${page.data[0].id}/retry`).set(auth)).body, "post");
  });

  it("then a response that breaks the schema is caught (the check can fail)", () => {
    expect(() => validate("/api/stats", "200", { outbound: "many" })).toThrow();
  });
});
