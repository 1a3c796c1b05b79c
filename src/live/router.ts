// GET /api/live: server-sent events of message changes, for the console. Authorised like
// every /api call, by the Authorization header (the console reads the stream with fetch, so
// the key never goes in a URL). Changes are sent in batches every 100 ms, each message once
// per batch; a batch too large to be useful says `overflow` and the reader reloads its view.
// A reader that stops reading (a laptop asleep) gets nothing more until its socket drains,
// then `overflow`; one stalled for a minute is cut off (its browser reconnects). The token a
// stream was opened with is checked again at every heartbeat: a console session that expires
// (or a password that changes) ends its streams too.
import { Router, type Response } from "express";
import { AppError } from "../errors.ts";
import { bearerOf, matcherOf, requireApiKey, type Credentials } from "../http/auth.ts";
import type { LiveBus, LiveChange } from "./bus.ts";

const FLUSH_MS = 100;
const HEARTBEAT_MS = 15_000;
const MAX_BATCH = 500;
const MAX_STALLED_MS = 60_000; // a reader that reads nothing this long is cut off

export function createLiveRouter(bus: LiveBus, apiKeys: Credentials, { heartbeatMs = HEARTBEAT_MS } = {}) {
  const open = new Set<Response>();
  const stillValid = matcherOf(apiKeys);
  let closing = false;
  const router = Router();
  router.get("/api/live", requireApiKey(apiKeys, () => new AppError("unauthorized", "Missing or unknown API key.")), (req, res) => {
    if (closing) {
      res.setHeader("Connection", "close");
      throw new AppError("unavailable", "Ticks is shutting down; connect again.");
    }
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no", // proxies must not hold events back
    });
    res.write("retry: 2000\n\n");
    let batch = new Map<string, LiveChange>();
    let overflow = false;
    const unsubscribe = bus.subscribe((changes) => {
      for (const c of changes) {
        if (batch.size >= MAX_BATCH) {
          overflow = true;
          break;
        }
        batch.set(c.id ?? c.wamid ?? c.people.join(","), c);
      }
    });
    let stalledSince: number | undefined;
    res.on("drain", () => void (stalledSince = undefined));
    const flush = setInterval(() => {
      if (stalledSince !== undefined) {
        // What it missed is summed up as `overflow` once it reads again.
        if (batch.size > 0) overflow = true;
        batch = new Map();
        if (Date.now() - stalledSince > MAX_STALLED_MS) res.destroy();
        return;
      }
      if (batch.size === 0 && !overflow) return;
      const data = overflow ? { overflow: true, changes: [] } : { overflow: false, changes: [...batch.values()] };
      batch = new Map();
      overflow = false;
      if (!res.write(`event: changes\ndata: ${JSON.stringify(data)}\n\n`)) stalledSince = Date.now();
    }, FLUSH_MS);
    const token = bearerOf(req) ?? "";
    const heartbeat = setInterval(() => {
      if (!stillValid(token)) return void res.end(); // the browser reconnects, and is refused
      if (stalledSince === undefined && !res.write(": keep-alive\n\n")) stalledSince = Date.now();
    }, heartbeatMs);
    open.add(res);
    const close = () => {
      clearInterval(flush);
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(res);
    };
    req.on("close", close);
    res.on("close", close);
  });
  return {
    router,
    /** On shutdown: ends every open stream (the console reconnects to another process). */
    closeAll() {
      closing = true;
      for (const res of open) res.end();
    },
  };
}
