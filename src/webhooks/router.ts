// GET /webhook: Meta's verification handshake. POST /webhook: signed deliveries, verified
// over the raw bytes before anything is parsed or stored.
import express, { Router } from "express";
import { AppError } from "../errors.ts";
import type { IngestService } from "./ingest-service.ts";
import { verifySignature } from "./signature.ts";

export interface WebhookRouterOptions {
  appSecret: string;
  verifyToken: string;
  bodyLimit: string;
}

export function createWebhookRouter(service: IngestService, opts: WebhookRouterOptions): Router {
  const router = Router();

  router.get("/webhook", (req, res) => {
    const q = req.query;
    if (q["hub.mode"] === "subscribe" && q["hub.verify_token"] === opts.verifyToken && typeof q["hub.challenge"] === "string") {
      res.type("text/plain").send(q["hub.challenge"]);
      return;
    }
    res.status(403).json({ error: { code: "forbidden", message: "Verification token mismatch." } });
  });

  router.post("/webhook", express.raw({ type: () => true, limit: opts.bodyLimit }), async (req, res) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifySignature(body, req.get("x-hub-signature-256"), opts.appSecret)) {
      throw new AppError("unauthorized", "Missing or invalid X-Hub-Signature-256.");
    }
    const counts = await service.ingest(body);
    req.log?.debug(counts, "webhook applied");
    res.status(200).json({ received: true });
  });

  return router;
}
