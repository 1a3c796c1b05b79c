// The Cloud API send body (Meta's "Messages" reference; docs/api.md). Ticks
// validates it before anything leaves and forwards the caller's JSON unchanged, so
// these schemas are loose: unknown fields pass through, known ones must be right.
import { z } from "zod";
import { isBsuid, isParentBsuid } from "../people/identifiers.ts";

const nonEmpty = z.string().trim().min(1);

const Text = z.looseObject({ body: nonEmpty.max(4096), preview_url: z.boolean().optional() });

const mediaRef = <S extends z.ZodRawShape>(extra: S) =>
  z
    .looseObject({ id: nonEmpty.optional(), link: z.url().optional(), ...extra })
    .refine((m) => (m.id === undefined) !== (m.link === undefined), { message: "needs exactly one of id or link" });

const caption = { caption: z.string().max(1024).optional() };

const TemplateComponent = z.looseObject({
  type: z.enum(["header", "body", "button", "footer", "carousel", "limited_time_offer"]),
  sub_type: z.string().optional(),
  index: z.union([z.number().int().min(0), z.string().regex(/^\d+$/)]).optional(),
  parameters: z.array(z.looseObject({ type: nonEmpty })).optional(),
});

const Template = z.looseObject({
  name: nonEmpty,
  language: z.looseObject({ code: nonEmpty, policy: z.literal("deterministic").optional() }),
  components: z.array(TemplateComponent).optional(),
});

const ReplyButton = z.looseObject({
  type: z.literal("reply"),
  reply: z.looseObject({ id: nonEmpty.max(256), title: nonEmpty.max(20) }),
});
const ListSection = z.looseObject({
  title: z.string().max(24).optional(),
  rows: z.array(z.looseObject({ id: nonEmpty.max(200), title: nonEmpty.max(24) })).min(1).optional(),
  product_items: z.array(z.looseObject({ product_retailer_id: nonEmpty })).optional(),
});
const InteractiveBody = z.looseObject({ text: nonEmpty.max(4096) });

const interactiveKind = <T extends string, A extends z.ZodType>(type: T, action: A, bodyRequired = true) =>
  z.looseObject({
    type: z.literal(type),
    header: z.looseObject({ type: nonEmpty }).optional(),
    body: bodyRequired ? InteractiveBody : InteractiveBody.optional(),
    footer: z.looseObject({ text: nonEmpty.max(60) }).optional(),
    action,
  });

const Interactive = z.discriminatedUnion("type", [
  interactiveKind("button", z.looseObject({ buttons: z.array(ReplyButton).min(1).max(3) })),
  interactiveKind("list", z.looseObject({ button: nonEmpty.max(20), sections: z.array(ListSection).min(1).max(10) })),
  interactiveKind(
    "cta_url",
    z.looseObject({ name: z.literal("cta_url"), parameters: z.looseObject({ display_text: nonEmpty, url: z.url() }) }),
  ),
  interactiveKind("flow", z.looseObject({ name: z.literal("flow"), parameters: z.looseObject({}) })),
  interactiveKind("product", z.looseObject({ catalog_id: nonEmpty, product_retailer_id: nonEmpty }), false),
  interactiveKind("product_list", z.looseObject({ catalog_id: nonEmpty, sections: z.array(ListSection).min(1).max(10) })),
  interactiveKind("location_request_message", z.looseObject({ name: z.literal("send_location") })),
]);

const Location = z.looseObject({
  latitude: z.coerce.number().min(-90).max(90),
  longitude: z.coerce.number().min(-180).max(180),
  name: z.string().optional(),
  address: z.string().optional(),
});

const Contact = z.looseObject({ name: z.looseObject({ formatted_name: nonEmpty }) });

const Reaction = z.looseObject({ message_id: nonEmpty, emoji: z.string() }); // "" removes a reaction

const base = {
  messaging_product: z.literal("whatsapp"),
  recipient_type: z.enum(["individual", "group"]).optional(),
  // The recipient by phone (`to`), by BSUID or parent BSUID (`recipient`), or both: Meta
  // then uses `to` (docs/people.md). At least one is required (checked below).
  to: nonEmpty.max(64).optional(),
  recipient: z
    .string()
    .refine((r) => isBsuid(r) || isParentBsuid(r), { message: "must be a BSUID (CC.<id>) or a parent BSUID (CC.ENT.<id>)" })
    .optional(),
  context: z.looseObject({ message_id: nonEmpty }).optional(),
  biz_opaque_callback_data: z.string().max(512).optional(),
};

const kind = <T extends string, S extends z.ZodType>(type: T, key: T, schema: S) =>
  z.looseObject({ ...base, type: z.literal(type), [key]: schema } as typeof base & { type: z.ZodLiteral<T> } & Record<T, S>);

const SendKinds = z.discriminatedUnion("type", [
  kind("text", "text", Text),
  kind("image", "image", mediaRef(caption)),
  kind("audio", "audio", mediaRef({})),
  kind("video", "video", mediaRef(caption)),
  kind("document", "document", mediaRef({ ...caption, filename: z.string().max(240).optional() })),
  kind("sticker", "sticker", mediaRef({})),
  kind("template", "template", Template),
  kind("interactive", "interactive", Interactive),
  kind("location", "location", Location),
  kind("contacts", "contacts", z.array(Contact).min(1)),
  kind("reaction", "reaction", Reaction),
]);

export const SendBodySchema = SendKinds.refine((b) => b.to !== undefined || b.recipient !== undefined, {
  message: "Required: to (a phone number) or recipient (a BSUID)",
  path: ["to"],
});
export type SendBody = z.infer<typeof SendBodySchema>;

export const MarkReadBodySchema = z.looseObject({
  messaging_product: z.literal("whatsapp"),
  status: z.literal("read"),
  message_id: nonEmpty,
  typing_indicator: z.looseObject({ type: z.literal("text") }).optional(),
});
export type MarkReadBody = z.infer<typeof MarkReadBodySchema>;

/** Meta treats a body without `type` as text. */
export function withDefaultType(body: unknown): unknown {
  if (body && typeof body === "object" && !Array.isArray(body) && !("type" in body) && "text" in body) {
    return { ...body, type: "text" };
  }
  return body;
}
