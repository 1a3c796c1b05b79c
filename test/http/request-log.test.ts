// Request ids and the one log line per request (src/http/request-log.ts).
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sendBodies } from "../fixtures/send-bodies.ts";
import { TEST_RECIPIENTS } from "../../src/sandbox/emulator.ts";
import { until } from "../helpers/wait.ts";
import { API_KEY, auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A pino logger at `level` whose lines land in `lines`, parsed. */
function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}

/** The line is written when the response closes, a moment after supertest has the answer. */
const requestLine = (lines: Record<string, unknown>[], id: string) => until(() => lines.find((l) => l.reqId === id && /^request /.test(String(l.msg))));

describe("request ids", () => {
  let t: TestApp;
  beforeAll(async () => void (t = await startTestApp()));
  afterAll(() => t.close());

  it("echo the caller's X-Request-Id when it is a plain token", async () => {
    const res = await t.http.get("/healthz").set("X-Request-Id", "trace-42.a_b");
    expect(res.headers["x-request-id"]).toBe("trace-42.a_b");
  });

  it("replace one that is not a plain token with a new uuid", async () => {
    const res = await t.http.get("/healthz").set("X-Request-Id", "<script>");
    expect(res.headers["x-request-id"]).toMatch(UUID);
  });

  it("are made for every request, and a Graph error carries its request's id as fbtrace_id", async () => {
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send({ messaging_product: "whatsapp" });
    expect(res.status).toBe(400);
    expect(res.headers["x-request-id"]).toMatch(UUID);
    expect(res.body.error.fbtrace_id).toBe(res.headers["x-request-id"]);
  });
});

describe("the request log at info", () => {
  const { log, lines } = capture("info");
  let t: TestApp;
  beforeAll(async () => void (t = await startTestApp({ log })));
  afterAll(() => t.close());
  beforeEach(() => void (lines.length = 0));

  it("writes one line per request with its id, method, path, status and time, and never the API key", async () => {
    const res = await t.http.post(`/v24.0/${phoneNumberId()}/messages`).set(auth).send(sendBodies(waId()).text!);
    expect(res.status).toBe(200);
    await requestLine(lines, res.headers["x-request-id"] as string);
    const requestLines = lines.filter((l) => l.msg === "request completed");
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: 30,
      reqId: res.headers["x-request-id"],
      req: { method: "POST", url: expect.stringMatching(/^\/v24\.0\/\d+\/messages$/) },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(JSON.stringify(lines)).not.toContain(API_KEY);
  });

  it("leaves the health probes out", async () => {
    await t.http.get("/healthz");
    await t.http.get("/readyz");
    // A request that is logged, after the probes: once its line is there, theirs would be too.
    const barrier = await t.http.get("/openapi.json");
    await requestLine(lines, barrier.headers["x-request-id"] as string);
    expect(lines.filter((l) => l.msg === "request completed").map((l) => (l.req as { url: string }).url)).toEqual(["/openapi.json"]);
  });
});

describe("the request log at warn", () => {
  const { log, lines } = capture("warn");
  let t: TestApp;
  beforeAll(async () => void (t = await startTestApp({ log })));
  afterAll(() => t.close());

  it("writes nothing for a request that went well", async () => {
    const res = await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(sendBodies(waId()).text!);
    expect(res.status).toBe(200);
    // A send Meta refuses logs a warning: once it is there, a line for the first would be too.
    await t.http.post(`/${phoneNumberId()}/messages`).set(auth).send(sendBodies(TEST_RECIPIENTS.windowClosed).text!);
    await until(() => lines.length > 0);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: "send refused by Meta", code: 131047 })]);
  });
});
