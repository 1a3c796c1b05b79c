// The status rules' ranks, in one place (docs/status-rules.md). The order of STATUS_RANK is
// the rank, and is also the declaration order of the MessageStatus enum in
// prisma/schema.prisma, which Postgres compares by: GREATEST(a, b) applies the rules in SQL
// (a test holds the two orders together). `failed` outranks pending, accepted and sent only.
export const STATUS_RANK = ["received", "pending", "accepted", "sent", "failed", "delivered", "read", "played"] as const;
export type MessageStatus = (typeof STATUS_RANK)[number];

/** Meta's statuses that move a message; `deleted` (legacy) only joins the audit trail. */
export const RANKED_WEBHOOK_STATUSES: MessageStatus[] = ["sent", "failed", "delivered", "read", "played"];

/** Statuses that mean the message got at least as far as `status` towards the phone (`failed` never does). */
export const reached = (status: "sent" | "delivered" | "read"): MessageStatus[] =>
  STATUS_RANK.slice(STATUS_RANK.indexOf(status)).filter((s) => s !== "failed");

/** The order of a message's events within one second of Meta's clock. */
export const EVENT_ORDER: string[] = [...STATUS_RANK.filter((s) => s !== "received" && s !== "pending"), "deleted"];

/**
 * The order of a message's audit trail (docs/api.md): Ticks' `accepted` first (it has
 * milliseconds, Meta's times are whole seconds, and the two clocks differ), then by Meta's
 * time to the second, within one second by rank, then as they arrived.
 */
export function compareEvents(a: { status: string; timestamp: Date; id: bigint }, b: { status: string; timestamp: Date; id: bigint }): number {
  const first = Number(b.status === "accepted") - Number(a.status === "accepted");
  const second = Math.floor(a.timestamp.getTime() / 1000) - Math.floor(b.timestamp.getTime() / 1000);
  const rank = EVENT_ORDER.indexOf(a.status) - EVENT_ORDER.indexOf(b.status);
  return first || second || rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
