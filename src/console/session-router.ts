// POST /api/console/session: the console's password (CONSOLE_PASSWORD_HASH) for a session
// token that reads /api for 12 hours (password.ts). scrypt is slow and memory-hungry on
// purpose, so guesses are limited: ten failures per client address (an IPv6 /64) a minute,
// counted before the check runs, and two checks at a time in the process; beyond, 429.
import express, { Router, type Request } from "express";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { parseInput } from "../validation.ts";
import { verifyPassword, type ConsoleSessions } from "./password.ts";

const BodySchema = z.object({ password: z.string().min(1).max(1024) }).strict();
const MAX_FAILURES = 10;
const WINDOW_MS = 60_000;
const MAX_CHECKING = 2;
const MAX_TRACKED = 10_000;

/** The address a client is limited by: IPv4 whole, IPv6 by its /64 (one host holds many). */
function clientOf(req: Request): string {
  const ip = req.socket.remoteAddress ?? "?";
  if (!ip.includes(":") || ip.startsWith("::ffff:")) return ip;
  return ip.split(":").slice(0, 4).join(":");
}

export function createConsoleSessionRouter(passwordHash: string | undefined, sessions: ConsoleSessions | undefined): Router {
  const attempts = new Map<string, { count: number; until: number }>(); // oldest first
  let checking = 0;
  const router = Router();
  router.post("/api/console/session", express.json({ limit: "4kb" }), async (req, res) => {
    if (!passwordHash || !sessions) throw new AppError("not_found", "No console password is set (CONSOLE_PASSWORD_HASH): sign in with an API key.");
    const { password } = parseInput(BodySchema, req.body);
    const client = clientOf(req);
    const now = Date.now();
    let seen = attempts.get(client);
    if (!seen || seen.until <= now) {
      attempts.delete(client);
      seen = { count: 0, until: now + WINDOW_MS };
      attempts.set(client, seen);
      for (const [k, v] of attempts) {
        if (attempts.size <= MAX_TRACKED && v.until > now) break;
        attempts.delete(k); // expired, or the oldest when too many are tracked
      }
    }
    const busy = checking >= MAX_CHECKING;
    if (seen.count >= MAX_FAILURES || busy) {
      res.setHeader("Retry-After", String(busy ? 1 : Math.ceil((seen.until - now) / 1000)));
      throw new AppError("rate_limited", busy ? "Too many sign-ins at once: try again in a second." : "Too many wrong passwords: try again in a minute.");
    }
    seen.count += 1; // counted before the check: attempts sent at once cannot all get through
    checking += 1;
    let ok: boolean;
    try {
      ok = await verifyPassword(password, passwordHash);
    } finally {
      checking -= 1;
    }
    if (!ok) throw new AppError("unauthorized", "Wrong console password.");
    seen.count -= 1; // a right password does not count against the address
    res.json(sessions.issue());
  });
  return router;
}
