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

/** Who may call: API keys, or a test of the bearer token (keys, or keys and console sessions). */
export type Credentials = string[] | ((candidate: string) => boolean);

/** Calls next(onFail()) unless the request carries a known key. */
export function requireApiKey(keys: Credentials, onFail: () => Error): RequestHandler {
  const matches = Array.isArray(keys) ? keyMatcher(keys) : keys;
  return (req, _res, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
    next(m && matches(m[1]!) ? undefined : onFail());
  };
}
