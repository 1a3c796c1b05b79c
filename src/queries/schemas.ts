// Ticks' own query API: request and response shapes, in zod, from which both request
// validation and the OpenAPI 3.1 document (src/queries/openapi.ts) are made.
import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { personKey } from "../people/identifiers.ts";
import { STATUS_RANK } from "../messages/status.ts";

extendZodWithOpenApi(z);

export const DIRECTIONS = ["outbound", "inbound"] as const;
export const MESSAGE_STATUSES = STATUS_RANK;

const isoTime = z.iso.datetime({ offset: true }).openapi({ example: "2026-11-29T12:00:00Z" });
const digits = z.string().regex(/^\+?[\d\s().-]{3,32}$/, "a phone number or WhatsApp id");
const personId = z
  .string()
  .max(160)
  .refine((s) => personKey(s) !== undefined, "a phone number, a BSUID (CC.<id>) or a parent BSUID (CC.ENT.<id>)");

export const ListQuerySchema = z
  .object({
    direction: z.enum(DIRECTIONS).optional(),
    status: z.enum(MESSAGE_STATUSES).optional(),
    to: digits.optional().openapi({ description: "Outbound messages to this WhatsApp id (digits)." }),
    from: digits.optional().openapi({ description: "Inbound messages from this WhatsApp id (digits)." }),
    user: personId.optional().openapi({
      description:
        "Both directions with one person, named by BSUID, parent BSUID or phone number: every message whose other party carried any identifier Ticks has seen together with this one.",
      example: "US.13491208655302741918",
    }),
    phoneNumberId: z.string().regex(/^\d+$/).optional(),
    since: isoTime.optional().openapi({ description: "createdAt ≥ since" }),
    until: isoTime.optional().openapi({ description: "createdAt < until" }),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional().openapi({ description: "nextCursor of the previous page" }),
  })
  .strict()
  .openapi("ListMessagesQuery");
export type ListQuery = z.infer<typeof ListQuerySchema>;

export const ConversationQuerySchema = z
  .object({
    phoneNumberId: z.string().regex(/^\d+$/).optional(),
    order: z.enum(["asc", "desc"]).default("asc").openapi({ description: "asc: oldest first (default); desc: newest first, each next page older" }),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const ConversationsQuerySchema = z
  .object({
    q: z.string().trim().min(1).max(160).optional().openapi({
      description: "A phone number (any formatting), a BSUID or parent BSUID, or the start of a contact's name or username (case-insensitive). Without it: the most recent conversations.",
      example: "Alice",
    }),
    phoneNumberId: z.string().regex(/^\d+$/).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const StatsQuerySchema = z
  .object({
    since: isoTime.optional().openapi({ description: "Start of the window (default: 24 hours before until)" }),
    until: isoTime.optional().openapi({ description: "End of the window (default: now)" }),
    phoneNumberId: z.string().regex(/^\d+$/).optional(),
  })
  .strict();

export const IdParamSchema = z.object({ id: z.string().min(1).max(256).openapi({ description: "Ticks' id (a UUID) or a wamid" }) });
export const PersonParamSchema = z.object({
  id: personId.openapi({
    description: "The person: a phone number (any formatting), a BSUID or a parent BSUID. Identifiers Ticks has seen together on any message are one person.",
    example: "US.13491208655302741918",
  }),
});

const json = z.unknown().openapi({ description: "As Meta sent it" });
const time = z.string().nullable().openapi({ format: "date-time" });

export const EventSchema = z
  .object({
    status: z.string(),
    timestamp: z.string().openapi({ format: "date-time", description: "Meta's time of the event" }),
    receivedAt: z.string().openapi({ format: "date-time", description: "When Ticks received it" }),
    errors: json.optional(),
    pricing: json.optional(),
    conversation: json.optional(),
    raw: json.optional().openapi({ description: "The status object exactly as Meta sent it (absent for events Ticks made: a refused or unconfirmed send)" }),
  })
  .openapi("StatusEvent");

export const MessageSchema = z
  .object({
    id: z.string().openapi({ format: "uuid" }),
    wamid: z.string().nullable(),
    direction: z.enum(DIRECTIONS),
    phoneNumberId: z.string(),
    to: z.string().nullable().openapi({ description: "Outbound: the phone number the caller sent to; null when sent by BSUID only" }),
    from: z.string().nullable().openapi({ description: "Inbound: the sender's phone number; null when Meta withholds it" }),
    waId: z.string().nullable().openapi({ description: "The other party's WhatsApp id (phone digits); null when Meta withholds it" }),
    userId: z.string().nullable().openapi({ description: "The other party's business-scoped user id (BSUID)" }),
    parentUserId: z.string().nullable().openapi({ description: "The other party's parent BSUID, where Meta sends one" }),
    username: z.string().nullable().openapi({ description: "The other party's WhatsApp username, when they have one" }),
    contactName: z.string().nullable(),
    type: z.string().nullable().openapi({ description: "null for a status-only placeholder (sent by another system)" }),
    payload: json,
    status: z.enum(MESSAGE_STATUSES),
    failureReason: z.string().nullable().openapi({ description: "rejected (Meta refused it), unreachable (Meta could not be reached: nothing was sent) or unconfirmed (no answer in time: it may have been sent)" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    acceptedAt: time,
    sentAt: time.openapi({ description: "Outbound: Meta's sent event. Inbound: when the person sent it." }),
    deliveredAt: time,
    readAt: time,
    playedAt: time,
    failedAt: time,
    markedReadAt: time.openapi({ description: "Inbound: when Meta took Ticks' read receipt" }),
    errors: json,
    pricing: json,
    conversation: json,
    bizOpaqueCallbackData: z.string().nullable(),
  })
  .openapi("Message");

export const MessageWithEventsSchema = MessageSchema.extend({ events: z.array(EventSchema) }).openapi("MessageWithEvents");

export const ConversationSummarySchema = z
  .object({
    person: z.string().openapi({ description: "The id to open the conversation with: the phone digits, else the BSUID" }),
    waId: z.string().nullable(),
    userId: z.string().nullable(),
    username: z.string().nullable(),
    contactName: z.string().nullable().openapi({ description: "The latest name Meta gave for the person" }),
    lastMessage: MessageSchema,
  })
  .openapi("ConversationSummary");

export const ConversationListSchema = z.object({ data: z.array(ConversationSummarySchema) }).openapi("ConversationList");

export const MessagePageSchema = z
  .object({ data: z.array(MessageSchema), nextCursor: z.string().nullable() })
  .openapi("MessagePage");

export const StatsSchema = z
  .object({
    since: z.string().openapi({ format: "date-time" }),
    until: z.string().openapi({ format: "date-time" }),
    phoneNumberId: z.string().nullable(),
    outbound: z.number().int(),
    inbound: z.number().int(),
    byStatus: z.record(z.string(), z.number().int()).openapi({ description: "Messages per current status" }),
    funnel: z.object({
      sent: z.number().int().openapi({ description: "Outbound that reached at least sent" }),
      delivered: z.number().int(),
      read: z.number().int(),
      failed: z.number().int(),
      deliveredRate: z.number().nullable().openapi({ description: "delivered / sent" }),
      readRate: z.number().nullable().openapi({ description: "read / delivered" }),
    }),
    failuresByCode: z.array(z.object({ code: z.string(), count: z.number().int() })),
  })
  .openapi("Stats");

export const ApiErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .openapi("Error");

// The shapes of the API's answers, for the console (imported as types only).
export type ApiMessage = z.infer<typeof MessageSchema>;
export type ApiMessageWithEvents = z.infer<typeof MessageWithEventsSchema>;
export type ApiStatusEvent = z.infer<typeof EventSchema>;
export type ApiMessagePage = z.infer<typeof MessagePageSchema>;
export type ApiConversationList = z.infer<typeof ConversationListSchema>;
export type ApiConversationSummary = z.infer<typeof ConversationSummarySchema>;
export type ApiStats = z.infer<typeof StatsSchema>;
export type ApiError = z.infer<typeof ApiErrorSchema>;
