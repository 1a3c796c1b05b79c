// The relay's API: subscriptions and their deliveries, shaped for callers.
import { randomBytes } from "node:crypto";
import { AppError } from "../errors.ts";
import type { Delivery, Subscription } from "../generated/prisma/client.ts";
import { iso } from "../queries/service.ts";
import type { DeliveryRepository } from "./delivery-repository.ts";
import type { CreateSubscription } from "./schemas.ts";
import type { SubscriptionRepository } from "./subscription-repository.ts";

/** A `ticks` secret, as Standard Webhooks defines it: whsec_ + base64 of 24 random bytes. */
export const newTicksSecret = () => `whsec_${randomBytes(24).toString("base64")}`;

/** Enough of a secret to tell two apart, never enough to use it: the last 4 characters of a long one only. */
export function maskSecret(secret: string): string {
  const prefix = secret.startsWith("whsec_") ? "whsec_" : "";
  return `${prefix}…${secret.length >= 24 ? secret.slice(-4) : ""}`;
}

export function toSubscription(s: Subscription, { revealSecret = false } = {}) {
  return {
    id: s.id,
    url: s.url,
    format: s.format,
    events: s.events.length ? s.events : null,
    phoneNumberIds: s.phoneNumberIds.length ? s.phoneNumberIds : null,
    secret: revealSecret ? s.secret : maskSecret(s.secret),
    description: s.description,
    source: s.source,
    disabled: s.disabled,
    disabledReason: s.disabledReason,
    createdAt: s.createdAt.toISOString(),
  };
}

function toDelivery(d: Delivery) {
  return {
    id: d.id.toString(),
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    createdAt: d.createdAt.toISOString(),
    lastAttemptAt: iso(d.lastAttemptAt),
    nextAttemptAt: d.status === "pending" ? iso(d.nextAttemptAt) : null,
    deliveredAt: iso(d.deliveredAt),
    lastResponseStatus: d.lastResponseStatus,
    lastError: d.lastError,
  };
}

export interface RelayServiceDeps {
  subscriptions: SubscriptionRepository;
  deliveries: DeliveryRepository;
  /** Subscriptions changed or a delivery is due now: the delivery loop looks at once. */
  onChange?: () => Promise<void> | void;
  /** Deliveries were made due (the subscriptions are as they were): the delivery loop looks at once. */
  onDue?: () => void;
  /** Deliveries made due per statement by a retry of a whole subscription (default 5,000). */
  retryChunk?: number;
}

export function createRelayService({ subscriptions, deliveries, onChange, onDue, retryChunk = 5_000 }: RelayServiceDeps) {
  async function existing(id: string): Promise<Subscription> {
    const s = await subscriptions.find(id);
    if (!s) throw new AppError("not_found", `No subscription ${id}.`);
    return s;
  }

  return {
    async create(input: CreateSubscription) {
      const s = await subscriptions.create({
        url: input.url,
        format: input.format,
        events: input.events ?? [],
        phoneNumberIds: input.phoneNumberIds ?? [],
        secret: input.format === "ticks" ? newTicksSecret() : (input.secret ?? randomBytes(32).toString("hex")),
        description: input.description ?? null,
      });
      await onChange?.();
      return toSubscription(s, { revealSecret: true });
    },
    list: async () => ({ data: (await subscriptions.list()).map((s) => toSubscription(s)) }),
    get: async (id: string) => toSubscription(await existing(id)),
    async remove(id: string) {
      if (!(await subscriptions.delete(id))) throw new AppError("not_found", `No subscription ${id}.`);
      await onChange?.();
    },
    async enable(id: string) {
      await existing(id);
      await subscriptions.enable(id);
      await onChange?.();
      return toSubscription(await existing(id));
    },
    async deliveries(id: string, q: { status?: Delivery["status"] | undefined; limit: number; cursor?: string | undefined }) {
      await existing(id);
      const rows = await deliveries.list(id, { status: q.status, limit: q.limit, before: q.cursor === undefined ? undefined : BigInt(q.cursor) });
      const data = rows.slice(0, q.limit);
      return { data: data.map(toDelivery), nextCursor: rows.length > q.limit ? data.at(-1)!.id.toString() : null };
    },
    /** The `ticks` deliveries about one message, newest first (up to 200). */
    async messageDeliveries(keys: string[]) {
      const rows = await deliveries.forMessage(keys);
      return { data: rows.map((d) => ({ ...toDelivery(d), subscriptionId: d.subscriptionId })) };
    },
    /** Every undelivered (or only pending, or only failed) delivery of a subscription, due now. */
    async retryAll(id: string, status: "pending" | "failed" | undefined) {
      const s = await existing(id);
      if (s.disabled) throw new AppError("conflict", "The subscription is disabled: re-enable it (PATCH {\"disabled\": false}) first.");
      // In chunks, each delivered from as soon as it is written: a backlog of hundreds of
      // thousands starts draining at once instead of after one long UPDATE. Up to the newest
      // delivery when the call came: what is queued meanwhile is due anyway.
      const upTo = await deliveries.lastId(id);
      let retried = 0;
      for (let after = 0n; upTo !== null; ) {
        const chunk = await deliveries.retryChunk(id, status ? [status] : ["pending", "failed"], after, upTo, retryChunk);
        retried += chunk.count;
        if (chunk.count > 0) onDue?.();
        if (chunk.last === null || chunk.count < retryChunk) break;
        after = chunk.last;
      }
      return { retried };
    },
    async retry(id: string) {
      const d = await deliveries.find(BigInt(id));
      const s = d && (await subscriptions.find(d.subscriptionId));
      if (!d || !s) throw new AppError("not_found", `No delivery ${id}.`);
      if (s.disabled) throw new AppError("conflict", "Its subscription is disabled: re-enable it (PATCH {\"disabled\": false}) first.");
      const updated = await deliveries.retryNow(d.id);
      await onChange?.();
      return toDelivery(updated);
    },
  };
}

export type RelayService = ReturnType<typeof createRelayService>;
