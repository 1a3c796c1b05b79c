// Data access of relay subscriptions: Prisma Client's typed API. Only repositories talk to
// the database.
import type { Database } from "../db/index.ts";
import type { Prisma } from "../generated/prisma/client.ts";

// Prisma Migrate's lock key is 72707369; this one serialises the start-up sync of RELAY_URL.
const ENV_SYNC_LOCK = 72707370;

/**
 * Deletes subscriptions with their deliveries (and what those send) and their record of
 * relayed POSTs (no foreign keys: see the schema). Raw SQL for the payloads: deleted by the
 * ids of the deliveries deleted, in the same statement.
 */
const drop = (tx: Prisma.TransactionClient, ids: string[]) =>
  Promise.all([
    tx.$executeRaw`WITH d AS (DELETE FROM deliveries WHERE subscription_id = ANY(${ids}::uuid[]) RETURNING id)
      DELETE FROM delivery_payloads p USING d WHERE p.id = d.id`,
    tx.relayedPost.deleteMany({ where: { subscriptionId: { in: ids } } }),
    tx.subscription.deleteMany({ where: { id: { in: ids } } }),
  ]);

export function createSubscriptionRepository(db: Database) {
  const { prisma } = db;
  return {
    create: (data: Prisma.SubscriptionCreateInput) => prisma.subscription.create({ data }),
    list: () => prisma.subscription.findMany({ orderBy: { createdAt: "asc" } }),
    find: (id: string) => prisma.subscription.findUnique({ where: { id } }),
    /** Deletes it with its deliveries and its record of relayed POSTs; false when there was none. */
    delete: async (id: string) => (await prisma.$transaction((tx) => drop(tx, [id])))[2].count > 0,
    /** Which formats have an enabled subscription. */
    formats: async () => {
      const rows = await prisma.subscription.groupBy({ by: ["format"], where: { disabled: false } });
      return { meta: rows.some((r) => r.format === "meta"), ticks: rows.some((r) => r.format === "ticks") };
    },
    enable: (id: string) => prisma.subscription.updateMany({ where: { id }, data: { disabled: false, disabledReason: null } }),

    /**
     * Keeps exactly one `env` subscription (the RELAY_URL one) matching `wanted`, or none:
     * processes starting together take turns (an advisory lock), so they make one.
     */
    syncEnv: (wanted: { url: string; secret: string } | undefined) =>
      prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ENV_SYNC_LOCK})`;
        const current = await tx.subscription.findMany({ where: { source: "env" }, orderBy: { createdAt: "asc" } });
        const [keep, ...extra] = current;
        if (extra.length) await drop(tx, extra.map((s) => s.id));
        if (!wanted) {
          if (keep) await drop(tx, [keep.id]);
          return undefined;
        }
        if (!keep) return tx.subscription.create({ data: { url: wanted.url, secret: wanted.secret, format: "meta", source: "env", description: "RELAY_URL" } });
        if (keep.url === wanted.url && keep.secret === wanted.secret) return keep;
        // A new URL or secret is a new receiver: it starts enabled.
        return tx.subscription.update({ where: { id: keep.id }, data: { url: wanted.url, secret: wanted.secret, disabled: false, disabledReason: null } });
      }),
  };
}

export type SubscriptionRepository = ReturnType<typeof createSubscriptionRepository>;
