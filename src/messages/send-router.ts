// The drop-in Cloud API endpoint: POST /{phone-number-id}/messages and
// POST /{version}/{phone-number-id}/messages, answering exactly as Meta would.
import express, { Router } from "express";
import { GraphError, graphErrors } from "../graph/errors.ts";
import { requireApiKey } from "../http/auth.ts";
import type { SendService } from "./send-service.ts";

export interface SendRouterOptions {
  apiKeys: string[];
  defaultVersion: string;
  bodyLimit: string;
}

const VERSION = /^v\d+\.\d+$/;

export function createSendRouter(service: SendService, opts: SendRouterOptions): Router {
  const router = Router();
  const auth = requireApiKey(opts.apiKeys, graphErrors.badToken);
  const json = express.json({ limit: opts.bodyLimit, type: () => true });

  const handle = (version: string) => async (req: express.Request, res: express.Response) => {
    const phoneNumberId = String(req.params.phoneNumberId);
    if (!VERSION.test(version)) throw graphErrors.invalidParameter(`Unknown Graph API version ${version}.`);
    const result = await service.send(version, phoneNumberId, req.body);
    if (result.messageId) res.set("X-Ticks-Message-Id", result.messageId);
    const body = result.body instanceof GraphError ? result.body.toBody(req.id) : result.body;
    res.status(result.status).json(body);
  };

  // Phone number ids are digits. Ticks' own paths (POST /api/messages) are not this endpoint;
  // anything else in that place is a caller's mistake, named.
  router.param("phoneNumberId", (req, _res, next, value: string) => {
    if (/^\d+$/.test(value)) return next();
    if (/^(api|webhook|sandbox)$/.test(String(req.params.version ?? value))) return next("route");
    next(graphErrors.invalidParameter(`The phone-number-id in the path must be a number (Meta's id of your business phone number); got "${value}".`));
  });
  router.post("/:phoneNumberId/messages", auth, json, (req, res) => handle(opts.defaultVersion)(req, res));
  router.post("/:version/:phoneNumberId/messages", auth, json, (req, res) => handle(String(req.params.version))(req, res));
  return router;
}
