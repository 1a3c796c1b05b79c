// Request ids and one log line per request. This replaces pino-http, which serializes every
// request (headers, redaction, JSON) into a child logger before the handler runs, whether or
// not anything is logged: 0.14 ms of CPU per request on the send path, a seventh of it
// (measured with scripts/bench-send.ts; README "Benchmarks"). Here nothing is serialized
// unless a line is written.
import { randomUUID } from "node:crypto";
import type { Request, RequestHandler } from "express";
import type { Logger } from "pino";

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
          req: { method: req.method, url: req.originalUrl },
          res: { statusCode: res.statusCode },
          responseTime: Math.round((performance.now() - start) * 10) / 10,
        };
        log.info(line, res.writableFinished ? "request completed" : "request aborted");
      });
    }
    next();
  };
}

/** A logger whose lines carry the request's id. */
export const requestLogger = (log: Logger, req: Request): Logger => log.child({ reqId: req.id });
