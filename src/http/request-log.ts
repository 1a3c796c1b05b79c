// Request ids and one log line per request. This replaces pino-http, which serializes every
// request (headers, redaction, JSON) into a child logger before the handler runs, whether or
// not anything is logged: 0.14 ms of CPU per request on the send path, a seventh of it
// (measured with scripts/bench-send.ts; docs/benchmarks.md). Here nothing is serialized
// unless a line is written.
import { randomUUID } from "node:crypto";
import type { Request, RequestHandler } from "express";
import type { Logger } from "pino";
import { maskPhone, maskWamid } from "../logger.ts";

declare module "express-serve-static-core" {
  interface Request {
    /** The caller's X-Request-Id when it is a plain token, otherwise a new uuid; echoed back. */
    id: string;
  }
}

const GIVEN_ID = /^[\w.-]{1,128}$/;

export interface RequestLogOptions {
  /** Paths that get no log line (health probes). */
  quiet?: (path: string) => boolean;
}

export function requestLog(log: Logger, opts: RequestLogOptions = {}): RequestHandler {
  return (req, res, next) => {
    const given = req.headers["x-request-id"];
    req.id = typeof given === "string" && GIVEN_ID.test(given) ? given : randomUUID();
    res.setHeader("X-Request-Id", req.id);
    if (log.isLevelEnabled("info") && !opts.quiet?.(req.path)) {
      const start = performance.now();
      res.once("close", () => {
        const line = {
          reqId: req.id,
          req: { method: req.method, url: loggedPath(req.path) },
          res: { statusCode: res.statusCode },
          responseTime: Math.round((performance.now() - start) * 10) / 10,
        };
        log.info(line, res.writableFinished ? "request completed" : "request aborted");
      });
    }
    next();
  };
}

const PHONE_SEGMENT = /^\+?[\d\s().-]{7,32}$/;

/**
 * The path as logged: never the query string (it carries the webhook's verify token and
 * phone-number filters), any phone number in it masked to its last four digits and any wamid
 * to a short hash (it encodes the phone number), except
 * the drop-in endpoint's `/{phone-number-id}/messages`: that is the business's id, kept.
 */
export function loggedPath(path: string): string {
  const segments = path.split("/");
  return segments
    .map((segment, i) => {
      if (segments[i + 1] === "messages" && /^\d+$/.test(segment)) return segment;
      let decoded = segment;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        /* kept as it came */
      }
      if (decoded.startsWith("wamid.")) return maskWamid(decoded); // a wamid encodes the phone number
      return PHONE_SEGMENT.test(decoded) ? maskPhone(decoded) : segment;
    })
    .join("/");
}

/** A logger whose lines carry the request's id. */
export const requestLogger = (log: Logger, req: Request): Logger => log.child({ reqId: req.id });
