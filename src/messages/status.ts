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
