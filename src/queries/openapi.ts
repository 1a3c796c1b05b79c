// The OpenAPI 3.1 document of Ticks' own API, generated from the zod schemas that
// validate its requests and describe its answers (zod-to-openapi): nothing hand-written
// that can drift.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import {
  ApiErrorSchema,
  ConversationQuerySchema,
  IdParamSchema,
  ListQuerySchema,
  MessagePageSchema,
  MessageWithEventsSchema,
  StatsQuerySchema,
  StatsSchema,
  PersonParamSchema,
} from "./schemas.ts";

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });
const errors = {
  400: json(ApiErrorSchema, "Invalid parameters; details name the failing fields"),
  401: json(ApiErrorSchema, "Missing or unknown API key"),
  503: json(ApiErrorSchema, "The database is unavailable"),
};

export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent("securitySchemes", "apiKey", { type: "http", scheme: "bearer", description: "A key from API_KEYS" });
  const security = [{ [bearer.name]: [] }];

  registry.registerPath({
    method: "get",
    path: "/api/messages/{id}",
    summary: "One message and its audit trail",
    security,
    request: { params: IdParamSchema },
    responses: { 200: json(MessageWithEventsSchema, "The message"), 404: json(ApiErrorSchema, "Unknown id or wamid"), ...errors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/messages",
    summary: "Messages, newest first, filtered and keyset-paginated",
    security,
    request: { query: ListQuerySchema },
    responses: { 200: json(MessagePageSchema, "A page of messages"), ...errors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/conversations/{id}",
    summary: "Both directions with one person (by phone number, BSUID or parent BSUID), oldest first",
    security,
    request: { params: PersonParamSchema, query: ConversationQuerySchema },
    responses: { 200: json(MessagePageSchema, "A page of the conversation"), ...errors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/stats",
    summary: "Counts per status and the delivery funnel for a window",
    security,
    request: { query: StatsQuerySchema },
    responses: { 200: json(StatsSchema, "Statistics"), ...errors },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Ticks",
      version: "0.1.0",
      description: "What happened to each WhatsApp message, and when. The drop-in Cloud API endpoint (POST /{phone-number-id}/messages) follows Meta's own reference and is not described here.",
    },
  });
}
