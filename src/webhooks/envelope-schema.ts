// Meta's webhook payload (Meta's "Webhooks › messages" reference; docs/status-rules.md).
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

// Identifiers are optional: Meta withholds the phone number of some username users and
// sends a BSUID instead (docs/people.md). Meta omits absent ones; an empty string counts
// as absent all the same.
const id = z.string().optional();

export const StatusItemSchema = z.looseObject({
  id: z.string().min(1),
  status: z.enum(STATUSES),
  timestamp: unixSeconds,
  recipient_id: id,
  recipient_user_id: id,
  recipient_parent_user_id: id,
  conversation: z.looseObject({}).optional(),
  pricing: z.looseObject({}).optional(),
  errors: z.array(z.looseObject({})).optional(),
  biz_opaque_callback_data: z.string().optional(),
});
export type StatusItem = z.infer<typeof StatusItemSchema>;

// A user's identifiers changed (Meta's "System messages" webhook reference): the new phone
// (`wa_id`, `new_wa_id` in older versions) or the new BSUID, with the one it replaces.
const SystemSchema = z.looseObject({
  type: z.string().optional(),
  body: z.string().optional(),
  wa_id: id,
  new_wa_id: id,
  user_id: id,
  previous_user_id: id,
  parent_user_id: id,
  previous_parent_user_id: id,
});

export const InboundItemSchema = z
  .looseObject({
    from: id,
    from_user_id: id,
    from_parent_user_id: id,
    id: z.string().min(1),
    timestamp: unixSeconds,
    type: z.string().min(1),
    context: z.looseObject({}).optional(),
    system: SystemSchema.optional(),
  })
  .refine((m) => !!(m.from || m.from_user_id || m.from_parent_user_id), {
    message: "no sender: neither from nor from_user_id nor from_parent_user_id",
    path: ["from"],
  });
export type InboundItem = z.infer<typeof InboundItemSchema>;

export const ContactSchema = z.looseObject({
  wa_id: id,
  user_id: id,
  parent_user_id: id,
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
});
export type Contact = z.infer<typeof ContactSchema>;
