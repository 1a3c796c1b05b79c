// GET /api/messages/{id}, GET /api/messages, GET /api/stats, GET /api/conversations(/{id}):
// behind the API key, parameters validated by the same zod schemas the OpenAPI document shows.
import { Router, type Request } from "express";
import { AppError } from "../errors.ts";
import { parseInput as parse } from "../validation.ts";
import { requireApiKey, type Credentials } from "../http/auth.ts";
import { ConversationsQuerySchema, ConversationQuerySchema, IdParamSchema, ListQuerySchema, StatsQuerySchema, PersonParamSchema } from "./schemas.ts";
import type { QueryService } from "./service.ts";

// Express gives repeated parameters as arrays; each filter takes one value.
const query = (req: Request) => req.query as Record<string, unknown>;

export function createQueryRouter(service: QueryService, apiKeys: Credentials): Router {
  const router = Router();
  router.use("/api", requireApiKey(apiKeys, () => new AppError("unauthorized", "Missing or unknown API key.")));

  // Wamids are base64 and may hold "/": the id is the rest of the path, encoded or not.
  router.get("/api/messages/*id", async (req, res) => {
    const segments = req.params.id as unknown as string[];
    const { id } = parse(IdParamSchema, { id: segments.join("/") });
    res.json(await service.getMessage(id));
  });
  router.get("/api/messages", async (req, res) => {
    res.json(await service.list(parse(ListQuerySchema, query(req))));
  });
  router.get("/api/conversations", async (req, res) => {
    res.json(await service.conversations(parse(ConversationsQuerySchema, query(req))));
  });
  router.get("/api/conversations/:id", async (req, res) => {
    const { id } = parse(PersonParamSchema, req.params);
    res.json(await service.conversation(id, parse(ConversationQuerySchema, query(req))));
  });
  router.get("/api/stats", async (req, res) => {
    res.json(await service.stats(parse(StatsQuerySchema, query(req))));
  });
  return router;
}
