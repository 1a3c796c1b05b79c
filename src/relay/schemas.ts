// The relay's API shapes, in zod: request validation and the OpenAPI document both come
// from here (queries/openapi.ts registers the paths).
import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { httpUrl } from "../validation.ts";

extendZodWithOpenApi(z);

export const EVENT_TYPES = ["message.status.updated", "message.received"] as const;
export const FORMATS = ["meta", "ticks"] as const;
export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;

const webUrl = httpUrl()
  .max(2_000)
  .openapi({ example: "https://bot.example.com/whatsapp/webhook" });

export const CreateSubscriptionSchema = z
  .object({
    url: webUrl,
    format: z.enum(FORMATS).openapi({ description: "meta: Meta's webhook POSTs as they came, re-signed. ticks: Standard Webhooks events." }),
    events: z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length).optional().openapi({ description: "ticks only: the events wanted (default: all)" }),
    phoneNumberIds: z.array(z.string().regex(/^\d{1,32}$/, "a phone number id (digits)")).min(1).max(100).optional().openapi({ description: "Only these phone numbers (default: all)" }),
    secret: z.string().min(8).max(200).optional().openapi({ description: "meta only: the key your backend verifies X-Hub-Signature-256 with, e.g. its app secret (default: generated)" }),
    description: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.format === "meta" && s.events) ctx.addIssue({ code: "custom", path: ["events"], message: "only for ticks subscriptions (a meta one gets every POST)" });
    if (s.format === "ticks" && s.secret) ctx.addIssue({ code: "custom", path: ["secret"], message: "only for meta subscriptions (a ticks one's secret is always generated)" });
  })
  .openapi("CreateSubscription");
export type CreateSubscription = z.infer<typeof CreateSubscriptionSchema>;

export const UpdateSubscriptionSchema = z
  .object({ disabled: z.literal(false).openapi({ description: "false re-enables a disabled subscription" }) })
  .strict()
  .openapi("UpdateSubscription");

export const SubscriptionIdSchema = z.object({ id: z.uuid("a subscription id (a UUID)") });
export const DeliveryIdSchema = z.object({ id: z.string().regex(/^\d{1,18}$/, "a delivery id (digits)") });

export const DeliveryQuerySchema = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().regex(/^\d{1,18}$/, "nextCursor of the previous page").optional(),
  })
  .strict();

export const MessageDeliveriesQuerySchema = z
  .object({
    message: z
      .union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).min(1).max(2)])
      .transform((m) => (Array.isArray(m) ? m : [m]))
      .openapi({ description: "The message's wamid and/or Ticks' id (repeat the parameter to give both: events made before Meta's answer are under the id)" }),
  })
  .strict();

export const RetryAllQuerySchema = z
  .object({ status: z.enum(["pending", "failed"]).optional().openapi({ description: "Only these (default: every delivery not delivered)" }) })
  .strict();

const time = z.string().nullable().openapi({ format: "date-time" });

export const SubscriptionSchema = z
  .object({
    id: z.string().openapi({ format: "uuid" }),
    url: z.string(),
    format: z.enum(FORMATS),
    events: z.array(z.enum(EVENT_TYPES)).nullable().openapi({ description: "null: all" }),
    phoneNumberIds: z.array(z.string()).nullable().openapi({ description: "null: all" }),
    secret: z.string().openapi({ description: "In full only in the answer to POST; masked everywhere else" }),
    description: z.string().nullable(),
    source: z.enum(["api", "env"]).openapi({ description: "env: kept from RELAY_URL at start" }),
    disabled: z.boolean(),
    disabledReason: z.string().nullable(),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Subscription");

export const DeliverySchema = z
  .object({
    id: z.string().openapi({ description: "Also sent as webhook-id (ticks) or X-Ticks-Delivery-Id (meta)" }),
    eventType: z.string().openapi({ description: "meta (a webhook POST), message.status.updated or message.received" }),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    createdAt: z.string().openapi({ format: "date-time" }),
    lastAttemptAt: time,
    nextAttemptAt: time,
    deliveredAt: time,
    lastResponseStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
  })
  .openapi("Delivery");

export const MessageDeliverySchema = DeliverySchema.extend({ subscriptionId: z.string().openapi({ format: "uuid" }) }).openapi("MessageDelivery");
export type ApiMessageDelivery = z.infer<typeof MessageDeliverySchema>;

export const DeliveryPageSchema = z.object({ data: z.array(DeliverySchema), nextCursor: z.string().nullable() }).openapi("DeliveryPage");
