// GET /webhook: Meta's verification handshake. POST /webhook: signed deliveries, verified
// over the raw bytes before anything is parsed or stored.
import express, { Router } from "express";
import type { Logger } from "pino";
import { AppError } from "../errors.ts";
import { keyMatcher } from "../http/auth.ts";
import { requestLogger } from "../http/request-log.ts";
import type { IngestService } from "./ingest-service.ts";
import { verifySignature } from "./signature.ts";

export interface WebhookRouterOptions {
  appSecret: string;
  verifyToken: string;
  bodyLimit: string;
  log: Logger;
}

export function createWebhookRouter(service: IngestService, opts: WebhookRouterOptions): Router {
  const router = Router();
  const isVerifyToken = keyMatcher([opts.verifyToken]); // constant time, like the API keys

  router.get("/webhook", (req, res) => {
    const q = req.query;
    const token = typeof q["hub.verify_token"] === "string" ? q["hub.verify_token"] : "";
    if (q["hub.mode"] === "subscribe" && isVerifyToken(token) && typeof q["hub.challenge"] === "string") {
      res.type("text/plain").send(q["hub.challenge"]);
      return;
    }
    throw new AppError("forbidden", "Verification token mismatch.");
  });

  router.post("/webhook", express.raw({ type: () => true, limit: opts.bodyLimit }), async (req, res) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifySignature(body, req.get("x-hub-signature-256"), opts.appSecret)) {
      throw new AppError("unauthorized", "Missing or invalid X-Hub-Signature-256.");
    }
    const counts = await service.ingest(body);
    if (opts.log.isLevelEnabled("debug")) requestLogger(opts.log, req).debug(counts, "webhook applied");
    res.status(200).json({ received: true });
  });

  return router;
}
