// Meta's webhook payload (CONTRACT.md §1 "Webhooks"; Meta's "Webhooks › messages" reference).
// Only the envelope must be right for the POST to be taken; inside it each entry, change
// and item is parsed on its own, and what does not parse is kept raw and skipped.
// Objects are loose: fields Meta adds later pass through and are kept in `raw`.
import { z } from "zod";

export const EnvelopeSchema = z.looseObject({
  object: z.string(),
  entry: z.array(z.unknown()),
});

export const ChangeSchema = z.looseObject({
  field: z.literal("messages"),
  value: z.looseObject({
    messaging_product: z.string().optional(),
    metadata: z.looseObject({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }),
    contacts: z.array(z.unknown()).optional(),
    messages: z.array(z.unknown()).optional(),
    statuses: z.array(z.unknown()).optional(),
    errors: z.array(z.unknown()).optional(),
  }),
});

const unixSeconds = z.union([z.string().regex(/^\d{1,12}$/), z.number().int().nonnegative()]).transform((s) => new Date(Number(s) * 1000));

export const STATUSES = ["sent", "delivered", "read", "failed", "played", "deleted"] as const;

export const StatusItemSchema = z.looseObject({
  id: z.string().min(1),
  status: z.enum(STATUSES),
  timestamp: unixSeconds,
  recipient_id: z.string().optional(),
  conversation: z.looseObject({}).optional(),
  pricing: z.looseObject({}).optional(),
  errors: z.array(z.looseObject({})).optional(),
  biz_opaque_callback_data: z.string().optional(),
});
export type StatusItem = z.infer<typeof StatusItemSchema>;

export const InboundItemSchema = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: unixSeconds,
  type: z.string().min(1),
  context: z.looseObject({}).optional(),
});
export type InboundItem = z.infer<typeof InboundItemSchema>;

export const ContactSchema = z.looseObject({
  wa_id: z.string(),
  profile: z.looseObject({ name: z.string().optional() }).optional(),
});
