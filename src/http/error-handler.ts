// The one place that turns errors into answers. The drop-in Cloud API endpoint gets
// Meta's error shape; Ticks' own API gets {error:{code,message,details?}}. A 5xx never
// shows internals.
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import { AppError, isDatabaseUnavailable } from "../errors.ts";
import { GraphError, graphErrors } from "../graph/errors.ts";
import { requestLogger } from "./request-log.ts";

/** Paths answered in Ticks' own error shape; every other path is Graph-shaped. */
const OWN_API = /^\/(api|webhook|sandbox|healthz|readyz|openapi\.json)(\/|$)/;

interface HttpError {
  status?: number;
  type?: string;
  message?: string;
}

function classify(err: unknown, graphShaped: boolean, bodyLimit: string): GraphError | AppError | undefined {
  if (err instanceof GraphError || err instanceof AppError) return err;
  const e = err as HttpError;
  if (e?.type === "entity.too.large") {
    return graphShaped ? graphErrors.tooLarge(bodyLimit) : new AppError("payload_too_large", `The body is larger than ${bodyLimit}.`);
  }
  if (e?.type === "entity.parse.failed") {
    return graphShaped
      ? graphErrors.invalidParameter(`The body is not valid JSON: ${e.message}`)
      : new AppError("bad_request", `The body is not valid JSON: ${e.message}`);
  }
  if (typeof e?.status === "number" && e.status >= 400 && e.status < 500) {
    return graphShaped ? new GraphError(e.status, 100, e.message ?? "Bad request") : new AppError("bad_request", e.message ?? "Bad request");
  }
  if (isDatabaseUnavailable(err)) {
    return graphShaped
      ? graphErrors.unavailable("Ticks' database is unavailable; nothing was sent.")
      : new AppError("unavailable", "The database is unavailable; try again shortly.");
  }
  return undefined;
}

export function errorHandler(log: Logger, bodyLimit: string): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const graphShaped = !OWN_API.test(req.path);
    const known = classify(err, graphShaped, bodyLimit);
    if (!known || known.status >= 500) requestLogger(log, req).error({ err }, "request failed");
    if (res.headersSent) return;
    if (known instanceof GraphError) {
      res.status(known.status).json(known.toBody(req.id));
    } else if (known instanceof AppError) {
      res.status(known.status).json({ error: { code: known.code, message: known.message, ...(known.details === undefined ? {} : { details: known.details }) } });
    } else if (graphShaped) {
      res.status(500).json(new GraphError(500, 1, "An unknown error occurred").toBody(req.id));
    } else {
      res.status(500).json({ error: { code: "internal", message: "Internal error", requestId: req.id } });
    }
  };
}

/** Paths shaped like the Graph API's: `/v24.0/…` or `/{digits}/…`. */
const GRAPH_LIKE = /^\/(v\d+\.\d+|\d+)(\/|$)/;
const WHERE_TO = "Ticks' own API is described at /openapi.json; the drop-in Cloud API endpoint is POST /{phone-number-id}/messages.";

/** Unknown paths: 404 pointing at what exists; in Meta's shape only where a Graph client would call. */
export const notFound: RequestHandler = (req, _res, next) => {
  const message = `No route for ${req.method} ${req.path}. ${WHERE_TO}`;
  next(GRAPH_LIKE.test(req.path) && !OWN_API.test(req.path) ? new GraphError(404, 100, message) : new AppError("not_found", message));
};
