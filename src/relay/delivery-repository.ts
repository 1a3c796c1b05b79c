// Data access of the relay's outbox (`deliveries`, what each sends in `delivery_payloads`) and
// of the webhook POSTs passed on (`relayed_posts`). Only repositories talk to the database.
import type { Database } from "../db/index.ts";
import { Prisma, type Delivery } from "../generated/prisma/client.ts";
import { relayedPostsCte, type RelayedPost } from "./sql.ts";

/** A delivery claimed for one attempt, with where it goes. */
export interface ClaimedDelivery {
  id: bigint;
  subscription_id: string;
  event_type: string;
  body: Uint8Array | null;
  data: unknown;
  attempts: number;
  created_at: Date;
  next_attempt_at: Date;
  url: string;
  format: "meta" | "ticks";
  secret: string;
}

/** A place in a subscription's due order: a delivery's next attempt and id. */
export interface ClaimPlace {
  at: Date;
  id: bigint;
}

/** What one attempt came to. */
export interface AttemptOutcome {
  id: bigint;
  delivered: boolean;
  /** The answer's HTTP status; null when there was none (timeout, connection error). */
  responseStatus: number | null;
  error: string | null;
  /** The subscriber answered 410 Gone: the subscription is disabled. */
  gone: boolean;
  at: Date;
}

/** A claimed row as the driver gives it (int8 as text on pg). */
type ClaimedRow = Omit<ClaimedDelivery, "id"> & { id: string };

export function createDeliveryRepository(db: Database, owner: string) {
  const { prisma } = db;
  return {
    /**
     * Takes (or renews) the lease of every enabled subscription no other process holds; how
     * many this process holds now. One process at a time delivers to a subscription, which is
     * how the in-flight cap per subscription holds over every process; a process that dies
     * lets its subscriptions go when their leases end, and what it had in flight is still
     * pending. Renewed every second by the worker, so that claims only read. The ids leased.
     */
    lease: async (leaseMs: number) =>
      (
        await prisma.$queryRaw<{ id: string }[]>`
          UPDATE subscriptions SET leased_by = ${owner}, leased_until = now() + make_interval(secs => ${leaseMs / 1000})
          WHERE NOT disabled AND (leased_until IS NULL OR leased_until < now() OR leased_by = ${owner})
          RETURNING id`
      ).map((r) => r.id),

    /**
     * Due deliveries of the subscriptions this process leases, at most `limit`, and for each
     * subscription no more than `perSubscription` with what this process holds of it already
     * (`heldBy`), none of `held` itself, and only those after its `after` place in the order
     * (next attempt, id) when it has one (ClaimPlaces: not stepping again over the dead
     * entries at the front of the due index). A delivery whose message has an earlier event
     * still pending waits for it. Raw SQL: a LATERAL per subscription has no Prisma form. On
     * the driver, prepared by name (Database.query), as it runs for every delivery: with the
     * outcomes on it too, Ticks' CPU per delivery fell by a fifth (docs/benchmarks.md).
     */
    async claim(limit: number, perSubscription: number, held: bigint[], heldBy: Map<string, number>, after: ReadonlyMap<string, ClaimPlace>): Promise<ClaimedDelivery[]> {
      const q = Prisma.sql`
      SELECT d.id::text AS id, s.id AS subscription_id, d.event_type, p.body, p.data, d.attempts, d.created_at, d.next_attempt_at, s.url, s.format::text AS format, s.secret
      FROM subscriptions s
      LEFT JOIN unnest(${[...heldBy.keys()]}::uuid[], ${[...heldBy.values()]}::int[]) AS h(subscription_id, n) ON h.subscription_id = s.id
      LEFT JOIN unnest(${[...after.keys()]}::uuid[], ${[...after.values()].map((a) => a.at)}::timestamptz[], ${[...after.values()].map((a) => a.id.toString())}::bigint[])
        AS a(subscription_id, at, id) ON a.subscription_id = s.id
      CROSS JOIN LATERAL (
        SELECT d.id, d.event_type, d.attempts, d.created_at, d.next_attempt_at,
          row_number() OVER (ORDER BY d.next_attempt_at, d.id) AS turn
        FROM deliveries d
        WHERE d.subscription_id = s.id AND d.status = 'pending' AND d.next_attempt_at <= now()
          AND (d.next_attempt_at, d.id) > (COALESCE(a.at, '-infinity'), COALESCE(a.id, 0))
          AND d.id <> ALL(${held.map(String)}::bigint[])
          AND (d.order_key IS NULL OR NOT EXISTS (
            SELECT 1 FROM deliveries e WHERE e.subscription_id = d.subscription_id AND e.order_key = d.order_key
              AND e.status = 'pending' AND e.id < d.id))
        ORDER BY d.next_attempt_at, d.id
        LIMIT GREATEST(0, ${perSubscription} - COALESCE(h.n, 0))
      ) d
      LEFT JOIN delivery_payloads p ON p.id = d.id
      WHERE s.leased_by = ${owner} AND s.leased_until > now() AND NOT s.disabled
      ORDER BY d.turn -- each subscription its turn: a limit below the total cuts none out
      LIMIT ${limit}`;
      const rows = await db.query<ClaimedRow>(q.text, q.values, "ticks_relay_claim");
      return rows.map((r) => ({ ...r, id: BigInt(r.id) }));
    },

    /** Lets this process's subscriptions go (it is stopping): another process need not wait for the leases to end. */
    release: () => prisma.subscription.updateMany({ where: { leasedBy: owner }, data: { leasedBy: null, leasedUntil: null } }),

    /**
     * Records attempts (group-committed: one statement for many, on the driver like the
     * claims): delivered, or failed and due again after `delaysMs[attempts - 1]`, or failed for
     * good after the last delay. A 410 disables its subscription. A delivery no longer pending (a caller retried it or it
     * was delivered meanwhile) keeps what it has.
     */
    async record(outcomes: AttemptOutcome[], delaysMs: readonly number[]): Promise<void> {
      const input = JSON.stringify(outcomes.map((o) => ({ ...o, id: o.id.toString() })));
      const q = Prisma.sql`
        WITH r AS (
          SELECT * FROM jsonb_to_recordset(${input}::jsonb)
            AS x(id bigint, delivered boolean, "responseStatus" int, error text, gone boolean, at timestamptz)
        ), done AS (
          UPDATE deliveries d SET
            attempts = d.attempts + 1,
            last_attempt_at = r.at,
            last_response_status = r."responseStatus",
            last_error = r.error,
            status = (CASE WHEN r.delivered THEN 'delivered' WHEN d.attempts + 1 > ${delaysMs.length} THEN 'failed' ELSE 'pending' END)::"DeliveryStatus",
            delivered_at = CASE WHEN r.delivered THEN r.at END,
            next_attempt_at = CASE WHEN r.delivered OR d.attempts + 1 > ${delaysMs.length} THEN NULL
              ELSE now() + make_interval(secs => (${delaysMs}::int[])[d.attempts + 1] / 1000.0) END
          FROM r WHERE d.id = r.id AND d.status = 'pending'
          RETURNING d.subscription_id, r.gone, r.at
        )
        UPDATE subscriptions s SET disabled = true, updated_at = now(),
          disabled_reason = 'The subscriber answered 410 Gone at ' || to_char(g.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        FROM (SELECT subscription_id, min(at) AS at FROM done WHERE gone GROUP BY subscription_id) g
        WHERE s.id = g.subscription_id AND NOT s.disabled`;
      await db.execute(q.text, q.values, "ticks_relay_record");
    },

    /**
     * Queues webhook POSTs for the `meta` subscriptions (relayedPostsCte), in a statement of
     * their own (the CTEs do the work; the trailing SELECT only closes the WITH).
     */
    async relayPosts(posts: RelayedPost[]): Promise<void> {
      if (posts.length) await prisma.$executeRaw`WITH ${relayedPostsCte(posts)} done AS (SELECT 1) SELECT 1`;
    },

    /** Forgets POSTs passed on more than 24 hours ago (they may be passed on again). */
    forgetOldPosts: () => prisma.relayedPost.deleteMany({ where: { firstAt: { lt: new Date(Date.now() - 24 * 3600_000) } } }),

    /** A subscription's deliveries, newest first (keyset on id). */
    list: (subscriptionId: string, opts: { status?: Delivery["status"] | undefined; before?: bigint | undefined; limit: number }) =>
      prisma.delivery.findMany({
        where: { subscriptionId, ...(opts.status && { status: opts.status }), ...(opts.before !== undefined && { id: { lt: opts.before } }) },
        orderBy: { id: "desc" },
        take: opts.limit + 1,
      }),

    /** The `ticks` deliveries about one message (by its wamid and its id), newest first. */
    forMessage: (keys: string[]) =>
      prisma.delivery.findMany({ where: { orderKey: { in: keys } }, orderBy: { id: "desc" }, take: 200 }),

    find: (id: bigint) => prisma.delivery.findUnique({ where: { id } }),

    /**
     * Due now, whatever its state (a manual retry); a failed one gets one more attempt. One
     * being attempted right now keeps its lease: it is not attempted twice at once.
     */
    retryNow: (id: bigint) => prisma.delivery.update({ where: { id }, data: { status: "pending", nextAttemptAt: new Date() } }),

    /** The id of a subscription's newest delivery; null when it has none. */
    lastId: async (subscriptionId: string) =>
      (await prisma.delivery.findFirst({ where: { subscriptionId }, orderBy: { id: "desc" }, select: { id: true } }))?.id ?? null,

    /**
     * The next `limit` deliveries of a subscription with ids in (`after`, `upTo`] in one of
     * `statuses`, due now (after an outage): how many, and the last id (null when none were
     * left). Those already due are left as they are (not written again). Raw SQL: an UPDATE
     * of a keyset chunk has no Prisma form.
     */
    async retryChunk(subscriptionId: string, statuses: Delivery["status"][], after: bigint, upTo: bigint, limit: number) {
      const [r] = await prisma.$queryRaw<{ n: number; last: string | null }[]>`
        WITH c AS (
          SELECT id FROM deliveries
          WHERE subscription_id = ${subscriptionId}::uuid AND id > ${after} AND id <= ${upTo} AND status::text = ANY(${statuses}::text[])
          ORDER BY id LIMIT ${limit}
        ), due AS (
          UPDATE deliveries d SET status = 'pending', next_attempt_at = now()
          FROM c WHERE d.id = c.id AND d.status::text = ANY(${statuses}::text[])
            AND (d.status = 'failed' OR d.next_attempt_at IS NULL OR d.next_attempt_at > now())
        )
        SELECT (SELECT count(*) FROM c)::int AS n, (SELECT max(id) FROM c)::text AS last`;
      return { count: r!.n, last: r!.last === null ? null : BigInt(r!.last) };
    },
  };
}

export type DeliveryRepository = ReturnType<typeof createDeliveryRepository>;
