// API keys: `Authorization: Bearer <key>`, compared in constant time. Keys are hashed
// first so that every comparison has equal length (timingSafeEqual throws otherwise)
// and a key's length leaks nothing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function keyMatcher(keys: string[]): (candidate: string) => boolean {
  const known = keys.map(digest);
  return (candidate) => {
    const d = digest(candidate);
    let ok = false;
    for (const k of known) ok = timingSafeEqual(d, k) || ok; // no early exit
    return ok;
  };
}

/** Calls next(onFail()) unless the request carries a known key. */
export function requireApiKey(keys: string[], onFail: () => Error): RequestHandler {
  const matches = keyMatcher(keys);
  return (req, _res, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
    next(m && matches(m[1]!) ? undefined : onFail());
  };
}
