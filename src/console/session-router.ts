// POST /api/console/session: the console's password (CONSOLE_PASSWORD_HASH) for a session
// token that reads /api for 12 hours (password.ts). Failed attempts are limited per client
// address: scrypt is slow on purpose, and a guesser should not get to spend it freely.
import express, { Router } from "express";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { parseInput } from "../validation.ts";
import { verifyPassword, type ConsoleSessions } from "./password.ts";

const BodySchema = z.object({ password: z.string().min(1).max(1024) }).strict();
const MAX_FAILURES = 10;
const WINDOW_MS = 60_000;

export function createConsoleSessionRouter(passwordHash: string | undefined, sessions: ConsoleSessions | undefined): Router {
  const failures = new Map<string, { count: number; until: number }>();
  const router = Router();
  router.post("/api/console/session", express.json({ limit: "4kb" }), async (req, res) => {
    if (!passwordHash || !sessions) throw new AppError("not_found", "No console password is set (CONSOLE_PASSWORD_HASH): sign in with an API key.");
    const ip = req.socket.remoteAddress ?? "?";
    const now = Date.now();
    const seen = failures.get(ip);
    if (seen && seen.until > now && seen.count >= MAX_FAILURES) {
      res.setHeader("Retry-After", String(Math.ceil((seen.until - now) / 1000)));
      throw new AppError("rate_limited", "Too many wrong passwords: try again in a minute.");
    }
    const { password } = parseInput(BodySchema, req.body);
    if (!(await verifyPassword(password, passwordHash))) {
      const current = seen && seen.until > now ? seen : { count: 0, until: now + WINDOW_MS };
      failures.set(ip, { count: current.count + 1, until: current.until });
      if (failures.size > 10_000) failures.clear(); // bounded, whatever the traffic
      throw new AppError("unauthorized", "Wrong console password.");
    }
    failures.delete(ip);
    res.json(sessions.issue());
  });
  return router;
}
