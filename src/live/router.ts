// GET /api/live: server-sent events of message changes, for the console. Authorised like
// every /api call, by the Authorization header (the console reads the stream with fetch, so
// the key never goes in a URL). Changes are sent in batches every 100 ms, each message once
// per batch; a batch too large to be useful says `overflow` and the reader reloads its view.
import { Router, type Response } from "express";
import { AppError } from "../errors.ts";
import { requireApiKey } from "../http/auth.ts";
import type { LiveBus, LiveChange } from "./bus.ts";

const FLUSH_MS = 100;
const HEARTBEAT_MS = 15_000;
const MAX_BATCH = 500;

export function createLiveRouter(bus: LiveBus, apiKeys: string[]) {
  const open = new Set<Response>();
  const router = Router();
  router.get("/api/live", requireApiKey(apiKeys, () => new AppError("unauthorized", "Missing or unknown API key.")), (req, res) => {
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
    const flush = setInterval(() => {
      if (batch.size === 0 && !overflow) return;
      const data = overflow ? { overflow: true, changes: [] } : { overflow: false, changes: [...batch.values()] };
      batch = new Map();
      overflow = false;
      res.write(`event: changes\ndata: ${JSON.stringify(data)}\n\n`);
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
      for (const res of open) res.end();
    },
  };
}
