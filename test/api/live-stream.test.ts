// The live stream's own rules, on a bare app: a stream ends when the token it was opened
// with stops being valid (a console session expired, the password changed).
import express from "express";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createLiveBus } from "../../src/live/bus.ts";
import { createLiveRouter } from "../../src/live/router.ts";
import { createHttpServer } from "../../src/http/server.ts";
import { errorHandler } from "../../src/http/error-handler.ts";
import { pino } from "pino";

describe("when the token a live stream was opened with stops being valid", () => {
  it("then the stream ends at the next heartbeat, and a new one is refused", async () => {
    let valid = true;
    const live = createLiveRouter(createLiveBus(), (t) => valid && t === "session-token", { heartbeatMs: 50 });
    const app = express().use(live.router).use(errorHandler(pino({ level: "silent" }), "1mb"));
    const server = createHttpServer(app);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/live`;
    try {
      const res = await fetch(url, { headers: { Authorization: "Bearer session-token" } });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const heartbeats = async (n: number) => {
        let text = "";
        while (text.split(": keep-alive").length - 1 < n) text += new TextDecoder().decode((await reader.read()).value);
      };
      await heartbeats(2); // still open while valid
      valid = false;
      for (;;) if ((await reader.read()).done) break; // ends
      expect((await fetch(url, { headers: { Authorization: "Bearer session-token" } })).status).toBe(401);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
