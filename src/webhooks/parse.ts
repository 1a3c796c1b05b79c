// Turns one verified webhook envelope into the rows it asks for: status events, inbound
// messages and the items Ticks does not understand (kept raw, skipped). Pure: no I/O.
import type { z } from "zod";
import { phoneDigits } from "../people/identifiers.ts";
import { issuesText } from "../validation.ts";
import { ChangeSchema, ContactSchema, InboundItemSchema, StatusItemSchema, type Contact } from "./envelope-schema.ts";

/** The other party of a message as one webhook item shows them (docs/people.md). */
export interface Party {
  /** Phone digits (Meta's wa_id); null when withheld. */
  wa_id: string | null;
  user_id: string | null;
  parent_user_id: string | null;
  username: string | null;
  contact_name: string | null;
  /** Every identifier this item shows for the person, to be linked as one person. */
  identities: string[];
}

export interface StatusRow extends Party {
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

export interface InboundRow extends Party {
  wamid: string;
  phone_number_id: string;
  /** As Meta sent it; null when the phone number is withheld. */
  from: string | null;
  type: string;
  ts: string;
  payload: unknown;
}

export interface UnprocessedRow {
  reason: string;
  item: unknown;
}

export interface ParsedWebhook {
  /** The phone numbers (metadata.phone_number_id) the POST is about. */
  phoneNumberIds: string[];
  statuses: StatusRow[];
  inbound: InboundRow[];
  unprocessed: UnprocessedRow[];
}

const why = (e: z.ZodError) => issuesText(e, "item");
const orNull = (s: string | null | undefined) => s || null;

export function parseEnvelope(entries: unknown[]): ParsedWebhook {
  const out: ParsedWebhook = { phoneNumberIds: [], statuses: [], inbound: [], unprocessed: [] };
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

/**
 * The `contacts` of one change (inbound messages have them; statuses other than `failed` may):
 * found by phone or by BSUID. With one contact, an item that names neither is that contact's.
 */
function contactFinder(raw: unknown[] | undefined) {
  const byPhone = new Map<string, Contact>();
  const byUser = new Map<string, Contact>();
  let only: Contact | undefined;
  let count = 0;
  for (const c of raw ?? []) {
    const parsed = ContactSchema.safeParse(c);
    if (!parsed.success) continue;
    const phone = phoneDigits(parsed.data.wa_id);
    if (phone && !byPhone.has(phone)) byPhone.set(phone, parsed.data);
    if (parsed.data.user_id && !byUser.has(parsed.data.user_id)) byUser.set(parsed.data.user_id, parsed.data);
    only = parsed.data;
    count += 1;
  }
  return (phone: string | null, userId: string | null, parentUserId: string | null): Contact | undefined =>
    (phone ? byPhone.get(phone) : undefined) ??
    (userId ? byUser.get(userId) : undefined) ??
    (count === 1 && !phone && !userId && (!parentUserId || only!.parent_user_id === parentUserId) ? only : undefined);
}

/** Every identifier given, once each, in order (few: three, and a system message's changes). */
function distinct(ids: (string | null)[]): string[] {
  const out: string[] = [];
  for (const id of ids) if (id && !out.includes(id)) out.push(id);
  return out;
}

function party(phone: string | null, userId: string | null, parentUserId: string | null, contact: Contact | undefined, more: (string | null)[] = []): Party {
  const wa_id = phone ?? phoneDigits(contact?.wa_id);
  const user_id = userId ?? orNull(contact?.user_id);
  const parent_user_id = parentUserId ?? orNull(contact?.parent_user_id);
  return {
    wa_id,
    user_id,
    parent_user_id,
    username: orNull(contact?.profile?.username),
    contact_name: orNull(contact?.profile?.name),
    identities: distinct([wa_id, user_id, parent_user_id, ...more]),
  };
}

function parseChange(change: unknown, out: ParsedWebhook): void {
  const parsed = ChangeSchema.safeParse(change);
  if (!parsed.success) {
    out.unprocessed.push({ reason: `change not understood: ${why(parsed.error)}`, item: change });
    return;
  }
  const { value } = parsed.data;
  const phoneNumberId = value.metadata.phone_number_id;
  if (!out.phoneNumberIds.includes(phoneNumberId)) out.phoneNumberIds.push(phoneNumberId);
  const contactOf = contactFinder(value.contacts);

  for (const item of value.statuses ?? []) {
    const s = StatusItemSchema.safeParse(item);
    if (!s.success) {
      out.unprocessed.push({ reason: `status not understood: ${why(s.error)}`, item });
      continue;
    }
    const phone = phoneDigits(s.data.recipient_id);
    const userId = orNull(s.data.recipient_user_id);
    const parentUserId = orNull(s.data.recipient_parent_user_id);
    const who = party(phone, userId, parentUserId, contactOf(phone, userId, parentUserId));
    // One literal with every field (no spread): this runs for every status Meta sends.
    out.statuses.push({
      wamid: s.data.id,
      status: s.data.status,
      ts: s.data.timestamp.toISOString(),
      phone_number_id: phoneNumberId,
      recipient_id: orNull(s.data.recipient_id),
      errors: s.data.errors ?? null,
      pricing: s.data.pricing ?? null,
      conversation: s.data.conversation ?? null,
      biz: s.data.biz_opaque_callback_data ?? null,
      raw: item,
      wa_id: who.wa_id,
      user_id: who.user_id,
      parent_user_id: who.parent_user_id,
      username: who.username,
      contact_name: who.contact_name,
      identities: who.identities,
    });
  }

  for (const item of value.messages ?? []) {
    const m = InboundItemSchema.safeParse(item);
    if (!m.success) {
      out.unprocessed.push({ reason: `message not understood: ${why(m.error)}`, item });
      continue;
    }
    const phone = phoneDigits(m.data.from);
    const userId = orNull(m.data.from_user_id);
    const parentUserId = orNull(m.data.from_parent_user_id);
    // A system message says the person's phone or BSUID changed: the old and new ones are linked.
    const sys = m.data.system;
    const changed = sys ? [phoneDigits(sys.wa_id), phoneDigits(sys.new_wa_id), orNull(sys.user_id), orNull(sys.previous_user_id), orNull(sys.parent_user_id), orNull(sys.previous_parent_user_id)] : [];
    out.inbound.push({
      wamid: m.data.id,
      phone_number_id: phoneNumberId,
      from: orNull(m.data.from),
      type: m.data.type,
      ts: m.data.timestamp.toISOString(),
      payload: item,
      ...party(phone, userId, parentUserId, contactOf(phone, userId, parentUserId), changed),
    });
  }

  if (value.errors?.length) out.unprocessed.push({ reason: "errors reported by Meta for this phone number", item: value });
  const known = new Set(["messaging_product", "metadata", "contacts", "messages", "statuses", "errors"]);
  const extra = Object.keys(value).filter((k) => !known.has(k));
  if (extra.length) out.unprocessed.push({ reason: `value fields not understood: ${extra.join(", ")}`, item: value });
}
