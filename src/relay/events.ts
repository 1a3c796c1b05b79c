// The bodies the relay sends to `ticks` subscriptions: Standard Webhooks' {type, timestamp,
// data}, where data is the stored message as GET /api/messages/{id} shows it (without its
// events), as it was when the event was made.
import type { Message } from "../generated/prisma/client.ts";
import { toMessage } from "../queries/service.ts";

const camelCase = new Map<string, string>(); // the columns' names, converted once each
const camel = (key: string) => {
  let name = camelCase.get(key);
  if (name === undefined) camelCase.set(key, (name = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())));
  return name;
};

/** A messages row as to_jsonb wrote it (snake_case, times as ISO text) → the Prisma model. */
export function messageFromRow(row: Record<string, unknown>): Message {
  const m: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    m[camel(key)] = key.endsWith("_at") && typeof value === "string" ? new Date(value) : value;
  }
  return m as unknown as Message;
}

export function ticksEventBody(type: string, createdAt: Date, row: unknown): string {
  const message = messageFromRow(row as Record<string, unknown>);
  const data =
    type === "message.status.updated" ? { ...toMessage(message), previousStatus: message.previousStatus ?? null } : toMessage(message);
  return JSON.stringify({ type, timestamp: createdAt.toISOString(), data });
}
