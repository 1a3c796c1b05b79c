// The OpenAPI 3.1 document of Ticks' own API, generated from the zod schemas that
// validate its requests and describe its answers (zod-to-openapi): nothing hand-written
// that can drift.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import {
  ApiErrorSchema,
  ConversationQuerySchema,
  ConversationsQuerySchema,
  ConversationListSchema,
  IdParamSchema,
  ListQuerySchema,
  MessagePageSchema,
  MessageSchema,
  MessageWithEventsSchema,
  StatsQuerySchema,
  StatsSchema,
  PersonParamSchema,
} from "./schemas.ts";
import {
  CreateSubscriptionSchema,
  DeliveryIdSchema,
  DeliveryPageSchema,
  DeliveryQuerySchema,
  DeliverySchema,
  MessageDeliveriesQuerySchema,
  MessageDeliverySchema,
  RetryAllQuerySchema,
  SubscriptionIdSchema,
  SubscriptionSchema,
  UpdateSubscriptionSchema,
} from "../relay/schemas.ts";

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
    path: "/api/conversations",
    summary: "Recent conversations, newest first: each person's latest message; or the people a phone number, BSUID or name finds",
    security,
    request: { query: ConversationsQuerySchema },
    responses: { 200: json(ConversationListSchema, "Conversations"), ...errors },
  });
  registry.registerPath({
    method: "post",
    path: "/api/console/session",
    summary: "Trade the console's password (CONSOLE_PASSWORD_HASH) for a session token: a bearer token that reads /api for 12 hours, but neither sends nor changes the relay",
    request: { body: { content: { "application/json": { schema: z.object({ password: z.string() }) } } } },
    responses: {
      200: json(z.object({ token: z.string(), expiresAt: z.string().openapi({ format: "date-time" }) }), "The session"),
      401: json(ApiErrorSchema, "Wrong password"),
      404: json(ApiErrorSchema, "No console password is configured"),
      429: json(ApiErrorSchema, "Ten wrong passwords from this address in a minute; see Retry-After"),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/live",
    summary: "Server-sent events: `changes` every 100 ms with the messages that changed (ids, wamids, the person's identifiers); `overflow: true` when too many changed to list. Changes handled by this process only.",
    security,
    responses: {
      200: {
        description: "An event stream",
        content: {
          "text/event-stream": {
            schema: z.object({
              overflow: z.boolean(),
              changes: z.array(z.object({ id: z.string().optional(), wamid: z.string().optional(), people: z.array(z.string()) })),
            }),
          },
        },
      },
      401: errors[401],
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/conversations/{id}",
    summary: "Both directions with one person (by phone number, BSUID or parent BSUID), oldest first (or newest first with order=desc)",
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

  const body = (schema: z.ZodType) => ({ body: { content: { "application/json": { schema } } } });
  const unknown = { 404: json(ApiErrorSchema, "Unknown id") };
  registry.registerPath({
    method: "post",
    path: "/api/subscriptions",
    summary: "Subscribe a backend to the relay (docs/relay.md); the answer is the only one that shows the secret in full",
    security,
    request: body(CreateSubscriptionSchema),
    responses: { 201: json(SubscriptionSchema, "The subscription, its secret in full"), ...errors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/subscriptions",
    summary: "Every subscription, secrets masked",
    security,
    responses: { 200: json(z.object({ data: z.array(SubscriptionSchema) }), "The subscriptions"), ...errors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/subscriptions/{id}",
    summary: "One subscription, its secret masked",
    security,
    request: { params: SubscriptionIdSchema },
    responses: { 200: json(SubscriptionSchema, "The subscription"), ...unknown, ...errors },
  });
  registry.registerPath({
    method: "patch",
    path: "/api/subscriptions/{id}",
    summary: "Re-enable a disabled subscription (its failed deliveries stay failed until retried)",
    security,
    request: { params: SubscriptionIdSchema, ...body(UpdateSubscriptionSchema) },
    responses: { 200: json(SubscriptionSchema, "The subscription"), ...unknown, ...errors },
  });
  registry.registerPath({
    method: "delete",
    path: "/api/subscriptions/{id}",
    summary: "Delete a subscription and drop its pending deliveries",
    security,
    request: { params: SubscriptionIdSchema },
    responses: { 204: { description: "Deleted" }, ...unknown, ...errors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/subscriptions/{id}/deliveries",
    summary: "A subscription's deliveries, newest first, with their attempts, last answer and next attempt",
    security,
    request: { params: SubscriptionIdSchema, query: DeliveryQuerySchema },
    responses: { 200: json(DeliveryPageSchema, "A page of deliveries"), ...unknown, ...errors },
  });
  registry.registerPath({
    method: "post",
    path: "/api/subscriptions/{id}/retry",
    summary: "Attempt every undelivered delivery of a subscription again now (after the backend's outage)",
    security,
    request: { params: SubscriptionIdSchema, query: RetryAllQuerySchema },
    responses: {
      202: json(z.object({ retried: z.number().int() }), "How many are due now"),
      409: json(ApiErrorSchema, "The subscription is disabled"),
      ...unknown,
      ...errors,
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/deliveries",
    summary: "One message's deliveries to ticks subscriptions, newest first (up to 200), with their attempts, last answer and next attempt",
    security,
    request: { query: MessageDeliveriesQuerySchema },
    responses: { 200: json(z.object({ data: z.array(MessageDeliverySchema) }), "The deliveries"), ...errors },
  });
  registry.registerPath({
    method: "post",
    path: "/api/deliveries/{id}/retry",
    summary: "Attempt a delivery again now, whatever its state",
    security,
    request: { params: DeliveryIdSchema },
    responses: {
      202: json(DeliverySchema, "Due now"),
      409: json(ApiErrorSchema, "Its subscription is disabled"),
      ...unknown,
      ...errors,
    },
  });
  for (const [type, data, summary] of [
    ["message.status.updated", MessageSchema.extend({ previousStatus: MessageSchema.shape.status.nullable() }), "A message's status changed (once per change, climbing)"],
    ["message.received", MessageSchema, "An inbound message was stored"],
  ] as const) {
    registry.registerWebhook({
      method: "post",
      path: type,
      summary: `${summary}: sent to ticks subscriptions, signed as Standard Webhooks define (webhook-id, webhook-timestamp, webhook-signature)`,
      request: body(z.object({ type: z.literal(type), timestamp: z.string().openapi({ format: "date-time" }), data })),
      responses: { 200: { description: "Any 2xx: delivered" } },
    });
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Ticks",
      version: "0.1.0",
      description: "What happened to each WhatsApp message, and when. The drop-in Cloud API endpoint (POST /{phone-number-id}/messages) follows Meta's own reference and is not described here.",
    },
  });
}
