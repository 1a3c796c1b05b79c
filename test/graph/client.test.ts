// The Graph client against real HTTP peers: answers that are not JSON, and no server at all.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGraphClient, GraphNoAnswerError } from "../../src/graph/client.ts";
import { closeServer, listenLocal } from "../helpers/local-server.ts";

/** A URL nothing listens on: bound, then released. */
async function closedUrl(): Promise<string> {
  const s = http.createServer();
  const url = await listenLocal(s);
  await closeServer(s);
  return url;
}

describe("the Graph client", () => {
  let attempts = 0;
  const proxy = http.createServer((req, res) => {
    attempts += 1;
    req.resume();
    res.writeHead(502, { "Content-Type": "text/html" });
    res.end("<html><body>Bad gateway</body></html>");
  });
  let url = "";
  beforeAll(async () => void (url = await listenLocal(proxy)));
  afterAll(() => closeServer(proxy));

  it("passes back an answer that is not JSON (a proxy's error page) as text, after retrying it as transient", async () => {
    const graph = createGraphClient({ baseUrl: url, accessToken: "t", retries: 2, minBackoffMs: 5, maxBackoffMs: 10 });
    const answer = await graph.postMessages("v24.0", "1", { messaging_product: "whatsapp" }, 5_000);
    expect(answer).toEqual({ status: 502, data: "<html><body>Bad gateway</body></html>" });
    expect(attempts).toBe(3); // the first attempt and 2 retries
  });

  it("says the Graph API is unreachable when nothing listens, after its retries, within the deadline", async () => {
    const graph = createGraphClient({ baseUrl: await closedUrl(), accessToken: "t", retries: 2, minBackoffMs: 5, maxBackoffMs: 10 });
    const started = Date.now();
    const err = await graph.postMessages("v24.0", "1", {}, 5_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphNoAnswerError);
    expect((err as Error).message).toMatch(/unreachable/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
