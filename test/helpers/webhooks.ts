// Signed webhook deliveries, as Meta makes them.
import { envelope, statusItem } from "../../src/sandbox/webhooks.ts";
import { sign } from "../../src/webhooks/signature.ts";
import { APP_SECRET, type TestApp } from "./test-app.ts";

export { envelope, statusItem };

export function postWebhook(t: TestApp, payload: unknown, opts: { secret?: string; raw?: string } = {}) {
  const body = opts.raw ?? JSON.stringify(payload);
  return t.http
    .post("/webhook")
    .set("Content-Type", "application/json")
    .set("X-Hub-Signature-256", sign(body, opts.secret ?? APP_SECRET))
    .send(body);
}

export interface StatusSpec {
  wamid: string;
  status: "sent" | "delivered" | "read" | "failed" | "played" | "deleted";
  /** Unix seconds. */
  at: number;
  to?: string;
  extra?: Record<string, unknown>;
}

export function status(s: StatusSpec): Record<string, unknown> {
  const item: Record<string, unknown> = { id: s.wamid, status: s.status, timestamp: String(s.at), recipient_id: s.to ?? "16505551234", ...s.extra };
  if (s.status === "failed" && !s.extra?.errors) {
    item.errors = [{ code: 131026, title: "Message undeliverable", message: "Message undeliverable", error_data: { details: "Message Undeliverable." } }];
  }
  return item;
}

export const statusesPayload = (phoneNumberId: string, items: Record<string, unknown>[]) => envelope(phoneNumberId, { statuses: items });

export const messageRow = (t: TestApp, wamid: string) => t.db.prisma.message.findUnique({ where: { wamid } });
export const eventsOf = (t: TestApp, wamid: string) =>
  t.db.prisma.statusEvent.findMany({ where: { wamid }, orderBy: [{ timestamp: "asc" }, { id: "asc" }] });
