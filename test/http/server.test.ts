// src/http/server.ts: the server creates req and res with Express's own prototypes, so
// Express has nothing to re-prototype, and everything Express adds still works.
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "../../src/http/server.ts";
import { closeServer, listenLocal } from "../helpers/local-server.ts";

describe("the HTTP server", () => {
  const app = express();
  const seen: { reqProto: boolean; resProto: boolean }[] = [];
  app.post("/echo/:id", express.json(), (req, res) => {
    seen.push({ reqProto: Object.getPrototypeOf(req) === app.request, resProto: Object.getPrototypeOf(res) === app.response });
    res.status(201).set("X-Id", String(req.params.id)).json({ body: req.body, agent: req.get("user-agent") ?? null });
  });
  const server = createHttpServer(app);
  const atArrival: boolean[] = []; // before Express has seen the request
  server.prependListener("request", (req, res) => atArrival.push(Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response));
  let url = "";
  beforeAll(async () => void (url = await listenLocal(server)));
  afterAll(() => closeServer(server));

  it("hands Express requests and responses that already have its prototypes", async () => {
    const res = await fetch(`${url}/echo/7`, { method: "POST", headers: { "content-type": "application/json", "user-agent": "t" }, body: '{"a":1}' });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-id")).toBe("7");
    expect(await res.json()).toEqual({ body: { a: 1 }, agent: "t" });
    expect(atArrival).toEqual([true]);
    expect(seen).toEqual([{ reqProto: true, resProto: true }]);
  });

  it("keeps serving on a kept-alive connection", async () => {
    for (let i = 0; i < 20; i++) expect((await fetch(`${url}/echo/${i}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(201);
  });
});
