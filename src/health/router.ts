// GET /healthz: the process answers. GET /readyz: and its database answers too (503 if not).
import { Router } from "express";
import type { HealthRepository } from "./repository.ts";

export function createHealthRouter(repo: HealthRepository): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => void res.json({ status: "ok" }));
  router.get("/readyz", async (_req, res) => {
    try {
      await repo.ping();
      res.json({ status: "ok", database: repo.kind });
    } catch {
      res.status(503).json({ error: { code: "unavailable", message: "The database does not answer." } });
    }
  });
  return router;
}
