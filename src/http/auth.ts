// API keys: `Authorization: Bearer <key>`, compared in constant time. Keys are hashed
// first so that every comparison has equal length (timingSafeEqual throws otherwise)
// and a key's length leaks nothing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler } from "express";

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

/** The test a bearer token must pass. */
export const matcherOf = (keys: Credentials): ((candidate: string) => boolean) => (Array.isArray(keys) ? keyMatcher(keys) : keys);

/** The bearer token of a request, if it has one. */
export function bearerOf(req: Request): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "")?.[1];
}

/** Calls next(onFail()) unless the request carries a known key. */
export function requireApiKey(keys: Credentials, onFail: () => Error): RequestHandler {
  const matches = matcherOf(keys);
  return (req, _res, next) => {
    const token = bearerOf(req);
    next(token !== undefined && matches(token) ? undefined : onFail());
  };
}
