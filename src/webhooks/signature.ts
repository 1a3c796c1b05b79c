// X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw body, keyed by the app
// secret (Meta's "Webhooks › Validating payloads"). Verified over the bytes as received,
// never over re-serialised JSON, in constant time.
import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "sha256=";

export function sign(body: Buffer | string, secret: string): string {
  return PREFIX + createHmac("sha256", secret).update(body).digest("hex");
}

export function verifySignature(body: Buffer, header: string | undefined, secret: string): boolean {
  if (!header || !header.startsWith(PREFIX)) return false;
  const given = Buffer.from(header.slice(PREFIX.length).trim().toLowerCase(), "utf8");
  const expected = Buffer.from(sign(body, secret).slice(PREFIX.length), "utf8");
  // timingSafeEqual throws on unequal lengths; a wrong length is simply a wrong signature.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
