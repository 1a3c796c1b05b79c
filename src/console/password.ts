// The console's optional password (CONSOLE_PASSWORD_HASH): kept only as a scrypt hash, and
// traded at POST /api/console/session for a session token that reads /api like an API key
// for 12 hours. Tokens are stateless (an expiry and its HMAC). Their key is derived from the
// stored hash and a server secret (the app secret): every process with the same configuration
// accepts them, changing the password ends them all, and the hash alone cannot make one.
import { createHmac, hkdfSync, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number, o: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/** scrypt$N$r$p$salt$hash, salt and hash base64url. */
export const PASSWORD_HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{43,})$/;

/** Whether a stored hash's parameters are ones scrypt takes (N a power of two, sane r and p). */
export function usableHash(stored: string): boolean {
  const m = PASSWORD_HASH.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return N >= 2 && N <= 1 << 20 && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16;
}
const COST = { N: 1 << 15, r: 8, p: 1 }; // OWASP's scrypt minimum: N=2^17 costs too much memory for a small server
const maxmem = (N: number, r: number) => 256 * N * r;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, { ...COST, maxmem: maxmem(COST.N, COST.r) });
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = PASSWORD_HASH.exec(stored);
  if (!m || !usableHash(stored)) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const expected = Buffer.from(m[5]!, "base64url");
  const actual = await scryptAsync(password, Buffer.from(m[4]!, "base64url"), expected.length, { N, r, p, maxmem: maxmem(N, r) });
  return timingSafeEqual(actual, expected);
}

export const SESSION_MS = 12 * 3600_000;
const PREFIX = "ticks_console_";

/** `serverSecret`: a secret of the deployment's (the app secret), so that the hash alone makes no token. */
export function consoleSessions(stored: string, serverSecret: string, now = () => Date.now()) {
  const key = Buffer.from(hkdfSync("sha256", stored, serverSecret, "ticks console session token", 32));
  const mac = (payload: string) => createHmac("sha256", key).update(payload).digest("base64url");
  return {
    issue(): { token: string; expiresAt: string } {
      const expires = now() + SESSION_MS;
      const payload = expires.toString(36);
      return { token: `${PREFIX}${payload}.${mac(payload)}`, expiresAt: new Date(expires).toISOString() };
    },
    /** Whether `token` is one of ours and not expired. */
    valid(token: string): boolean {
      if (!token.startsWith(PREFIX)) return false;
      const [payload, sig] = token.slice(PREFIX.length).split(".");
      if (!payload || !sig) return false;
      const expected = Buffer.from(mac(payload));
      const given = Buffer.from(sig);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
      const expires = parseInt(payload, 36);
      return expires > now() && expires <= now() + SESSION_MS; // none lasts longer than one session
    },
  };
}

export type ConsoleSessions = ReturnType<typeof consoleSessions>;
