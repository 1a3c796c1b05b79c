import type { ApiMessage } from "./api.ts";

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const dayFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "full" });

export const time = (iso: string | null | undefined) => (iso ? timeFmt.format(new Date(iso)) : "");
export const dateTime = (iso: string | null | undefined) => (iso ? dateTimeFmt.format(new Date(iso)) : "—");
export const day = (iso: string) => dayFmt.format(new Date(iso));

/** "+1 555 000 1234"-like display of phone digits. */
export function phone(digits: string | null | undefined): string {
  return digits ? `+${digits}` : "";
}

/** Who a message is with, as a support person would name them. */
export function personLabel(m: Pick<ApiMessage, "contactName" | "username" | "waId" | "userId">): string {
  return m.contactName ?? (m.username ? `@${m.username}` : null) ?? (m.waId ? phone(m.waId) : null) ?? m.userId ?? "Unknown";
}

type Payload = Record<string, unknown> & { type?: string };
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const field = (o: unknown, k: string) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined);

/** The text a bubble shows for any message type. */
export function messageText(m: ApiMessage): string {
  const p = (m.payload ?? {}) as Payload;
  const type = m.type ?? p.type ?? "status only";
  const part = p[type];
  switch (type) {
    case "text":
      return str(field(part, "body")) ?? "";
    case "template":
      return `Template “${str(field(part, "name")) ?? "?"}”`;
    case "image":
    case "video":
    case "document":
    case "audio":
    case "sticker":
      return `[${type}]${str(field(part, "caption")) ? ` ${str(field(part, "caption"))}` : ""}`;
    case "interactive":
      return str(field(field(part, "body"), "text")) ?? str(field(field(part, "button_reply"), "title")) ?? str(field(field(part, "list_reply"), "title")) ?? "[interactive]";
    case "button":
      return str(field(part, "text")) ?? "[button]";
    case "reaction":
      return `Reacted ${str(field(part, "emoji")) ?? ""}`;
    case "location":
      return `[location] ${str(field(part, "name")) ?? ""}`.trim();
    case "contacts":
      return "[contact card]";
    case "status only":
      return "(sent by another system: only its statuses are known)";
    default:
      return `[${type}]`;
  }
}

export const STATUS_WORDS: Record<string, string> = {
  pending: "Waiting for Meta",
  accepted: "Accepted by Meta",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  played: "Played",
  failed: "Failed",
  received: "Received",
};
