// Structured JSON logs (pino). Credentials never reach a log line.
import { pino, type Logger } from "pino";

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-hub-signature-256"]', "req.headers.cookie"],
      censor: "[redacted]",
    },
  });
}
