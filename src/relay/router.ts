// /api/subscriptions and /api/deliveries: behind the API key, bodies and parameters
// validated by the zod schemas the OpenAPI document shows.
import express, { Router } from "express";
import { requireApiKey, type Credentials } from "../http/auth.ts";
import { AppError } from "../errors.ts";
import { parseInput } from "../validation.ts";
import {
  CreateSubscriptionSchema,
  DeliveryIdSchema,
  DeliveryQuerySchema,
  MessageDeliveriesQuerySchema,
  RetryAllQuerySchema,
  SubscriptionIdSchema,
  UpdateSubscriptionSchema,
} from "./schemas.ts";
import type { RelayService } from "./service.ts";

/** `readers` may also read (a console session); changes take an API key. */
export function createRelayRouter(service: RelayService, apiKeys: string[], readers: Credentials = apiKeys): Router {
  const router = Router();
  const unauthorized = () => new AppError("unauthorized", "Missing or unknown API key.");
  const write = requireApiKey(apiKeys, unauthorized);
  const read = requireApiKey(readers, unauthorized);
  router.use(["/api/subscriptions", "/api/deliveries"], (req, res, next) => (req.method === "GET" ? read : write)(req, res, next), express.json({ limit: "64kb" }));

  router.post("/api/subscriptions", async (req, res) => {
    res.status(201).json(await service.create(parseInput(CreateSubscriptionSchema, req.body)));
  });
  router.get("/api/subscriptions", async (_req, res) => {
    res.json(await service.list());
  });
  router.get("/api/subscriptions/:id", async (req, res) => {
    res.json(await service.get(parseInput(SubscriptionIdSchema, req.params).id));
  });
  router.patch("/api/subscriptions/:id", async (req, res) => {
    const { id } = parseInput(SubscriptionIdSchema, req.params);
    parseInput(UpdateSubscriptionSchema, req.body);
    res.json(await service.enable(id));
  });
  router.delete("/api/subscriptions/:id", async (req, res) => {
    await service.remove(parseInput(SubscriptionIdSchema, req.params).id);
    res.status(204).end();
  });
  router.get("/api/subscriptions/:id/deliveries", async (req, res) => {
    const { id } = parseInput(SubscriptionIdSchema, req.params);
    res.json(await service.deliveries(id, parseInput(DeliveryQuerySchema, req.query)));
  });
  router.post("/api/subscriptions/:id/retry", async (req, res) => {
    const { id } = parseInput(SubscriptionIdSchema, req.params);
    res.status(202).json(await service.retryAll(id, parseInput(RetryAllQuerySchema, req.query).status));
  });
  router.get("/api/deliveries", async (req, res) => {
    res.json(await service.messageDeliveries(parseInput(MessageDeliveriesQuerySchema, req.query).message));
  });
  router.post("/api/deliveries/:id/retry", async (req, res) => {
    res.status(202).json(await service.retry(parseInput(DeliveryIdSchema, req.params).id));
  });
  return router;
}
