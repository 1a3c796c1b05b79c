// Logs (pino): JSON lines for machines; pretty lines (pino-pretty) when a person is watching,
// that is when stdout is a terminal or LOG_FORMAT=pretty. Credentials never reach a log line;
// phone numbers are masked to their last four digits, and wamids (which encode the phone
// number) to a short hash, wherever Ticks logs one. Database errors are logged without the
// row values Postgres quotes in their `detail`.
import { createHash } from "node:crypto";
import { pino, type Logger } from "pino";
import { phoneDigits } from "./people/identifiers.ts";

export interface LoggerOptions {
  level: string;
  format?: "json" | "pretty" | undefined;
}

export function createLogger({ level, format }: LoggerOptions): Logger {
  const pretty = format === "pretty" || (format === undefined && process.stdout.isTTY === true);
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-hub-signature-256"]', "req.headers.cookie"],
      censor: "[redacted]",
    },
    serializers: { err: withoutRowValues },
    ...(pretty ? { transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" } } } : {}),
  });
}

/** pino's error serializer, without what Postgres quotes of the rows (`detail`, `where`), down the cause chain. */
function withoutRowValues(err: Error): Record<string, unknown> {
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (let e: Record<string, unknown> | undefined = out; e; e = e.cause as Record<string, unknown> | undefined) {
    delete e.detail;
    delete e.where;
  }
  return out;
}

/** A wamid as logs show it: the same wamid always gives the same short hash. */
export const maskWamid = (wamid: string) => `wamid#${createHash("sha256").update(wamid).digest("hex").slice(0, 12)}`;

/** "+1 650 555 1234" → "*******1234": enough to tell people apart in a log, not to call them. */
export function maskPhone(phone: string): string {
  const digits = phoneDigits(phone) ?? "";
  return digits.length < 5 ? "****" : `${"*".repeat(digits.length - 4)}${digits.slice(-4)}`;
}
