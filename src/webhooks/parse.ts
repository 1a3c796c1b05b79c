// Turns one verified webhook envelope into the rows it asks for: status events, inbound
// messages and the items Ticks does not understand (kept raw, skipped). Pure: no I/O.
import type { z } from "zod";
import { ChangeSchema, ContactSchema, InboundItemSchema, StatusItemSchema } from "./envelope-schema.ts";

export interface StatusRow {
  wamid: string;
  status: string;
  /** ISO time of Meta's event. */
  ts: string;
  phone_number_id: string;
  recipient_id: string | null;
  errors: unknown[] | null;
  pricing: unknown | null;
  conversation: unknown | null;
  biz: string | null;
  raw: unknown;
}

export interface InboundRow {
  wamid: string;
  phone_number_id: string;
  from: string;
  contact_name: string | null;
  type: string;
  ts: string;
  payload: unknown;
}

export interface UnprocessedRow {
  reason: string;
  item: unknown;
}

export interface ParsedWebhook {
  statuses: StatusRow[];
  inbound: InboundRow[];
  unprocessed: UnprocessedRow[];
}

const why = (e: z.ZodError) => e.issues.map((i) => `${i.path.join(".") || "item"}: ${i.message}`).join("; ");

export function parseEnvelope(entries: unknown[]): ParsedWebhook {
  const out: ParsedWebhook = { statuses: [], inbound: [], unprocessed: [] };
  for (const entry of entries) {
    const changes = (entry as { changes?: unknown } | null)?.changes;
    if (!Array.isArray(changes)) {
      out.unprocessed.push({ reason: "entry without a changes array", item: entry });
      continue;
    }
    for (const change of changes) parseChange(change, out);
  }
  return out;
}

function parseChange(change: unknown, out: ParsedWebhook): void {
  const parsed = ChangeSchema.safeParse(change);
  if (!parsed.success) {
    out.unprocessed.push({ reason: `change not understood: ${why(parsed.error)}`, item: change });
    return;
  }
  const { value } = parsed.data;
  const phoneNumberId = value.metadata.phone_number_id;

  for (const item of value.statuses ?? []) {
    const s = StatusItemSchema.safeParse(item);
    if (!s.success) {
      out.unprocessed.push({ reason: `status not understood: ${why(s.error)}`, item });
      continue;
    }
    out.statuses.push({
      wamid: s.data.id,
      status: s.data.status,
      ts: s.data.timestamp.toISOString(),
      phone_number_id: phoneNumberId,
      recipient_id: s.data.recipient_id ?? null,
      errors: s.data.errors ?? null,
      pricing: s.data.pricing ?? null,
      conversation: s.data.conversation ?? null,
      biz: s.data.biz_opaque_callback_data ?? null,
      raw: item,
    });
  }

  const names = new Map<string, string>();
  for (const c of value.contacts ?? []) {
    const contact = ContactSchema.safeParse(c);
    if (contact.success && contact.data.profile?.name) names.set(contact.data.wa_id, contact.data.profile.name);
  }
  for (const item of value.messages ?? []) {
    const m = InboundItemSchema.safeParse(item);
    if (!m.success) {
      out.unprocessed.push({ reason: `message not understood: ${why(m.error)}`, item });
      continue;
    }
    out.inbound.push({
      wamid: m.data.id,
      phone_number_id: phoneNumberId,
      from: m.data.from,
      contact_name: names.get(m.data.from) ?? null,
      type: m.data.type,
      ts: m.data.timestamp.toISOString(),
      payload: item,
    });
  }

  if (value.errors?.length) out.unprocessed.push({ reason: "errors reported by Meta for this phone number", item: value });
  const known = new Set(["messaging_product", "metadata", "contacts", "messages", "statuses", "errors"]);
  const extra = Object.keys(value).filter((k) => !known.has(k));
  if (extra.length) out.unprocessed.push({ reason: `value fields not understood: ${extra.join(", ")}`, item: value });
}
