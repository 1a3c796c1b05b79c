// GET /api/live: server-sent events of message changes, for the console. Authorised like
// every /api call, by the Authorization header (the console reads the stream with fetch, so
// the key never goes in a URL). Changes are sent in batches every 100 ms, each message once
// per batch; a batch too large to be useful says `overflow` and the reader reloads its view.
// A reader that stops reading (a laptop asleep) gets nothing more until its socket drains,
// then `overflow`; one that falls far behind is cut off (its browser reconnects).
import { Router, type Response } from "express";
import { AppError } from "../errors.ts";
import { requireApiKey, type Credentials } from "../http/auth.ts";
import type { LiveBus, LiveChange } from "./bus.ts";

const FLUSH_MS = 100;
const HEARTBEAT_MS = 15_000;
const MAX_BATCH = 500;
const MAX_BUFFERED = 1 << 20; // bytes waiting for a slow reader before it is cut off

export function createLiveRouter(bus: LiveBus, apiKeys: Credentials) {
  const open = new Set<Response>();
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
    let stalled = false;
    res.on("drain", () => void (stalled = false));
    const flush = setInterval(() => {
      if (batch.size === 0 && !overflow) return;
      if (stalled) {
        // What it missed is summed up as `overflow` once it reads again.
        batch = new Map();
        overflow = true;
        if (res.writableLength > MAX_BUFFERED) res.destroy();
        return;
      }
      const data = overflow ? { overflow: true, changes: [] } : { overflow: false, changes: [...batch.values()] };
      batch = new Map();
      overflow = false;
      stalled = !res.write(`event: changes\ndata: ${JSON.stringify(data)}\n\n`);
    }, FLUSH_MS);
    const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
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
