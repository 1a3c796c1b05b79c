// Logs (pino): JSON lines for machines; pretty lines (pino-pretty) when a person is watching,
// that is when stdout is a terminal or LOG_FORMAT=pretty. Credentials never reach a log line,
// and phone numbers are masked to their last four digits wherever Ticks logs one.
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
    ...(pretty ? { transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" } } } : {}),
  });
}

/** "+1 650 555 1234" → "*******1234": enough to tell people apart in a log, not to call them. */
export function maskPhone(phone: string): string {
  const digits = phoneDigits(phone) ?? "";
  return digits.length < 5 ? "****" : `${"*".repeat(digits.length - 4)}${digits.slice(-4)}`;
}
