// Reads for support teams and backends, in SQL through Prisma's raw queries, each for its
// reason below: Prisma's typed API was measured slower on every one of them (findMany of a
// 51-row page: +0.35 ms of CPU a call; over HTTP +0.3 to +1.1 ms at p50, more than the noise
// of two runs; docs/benchmarks.md). Rows come back named as Prisma names them. Every query
// is served by an index of prisma/schema.prisma (EXPLAINs: npm run bench:queries). Pages are
// keyset-paginated on (createdAt, id) so that paging is stable while new messages arrive and
// never scans an offset.
import type { Database } from "../db/index.ts";
import { Prisma, type Message, type StatusEvent } from "../generated/prisma/client.ts";
import { ofPerson, person } from "../people/sql.ts";
import { reached } from "../messages/status.ts";

export type { Message, StatusEvent };

export interface Keyset {
  createdAt: Date;
  id: string;
}

export interface ListFilter {
  direction?: "outbound" | "inbound" | undefined;
  status?: Message["status"] | undefined;
  waId?: string | undefined;
  /** A person's phone digits, BSUID or parent BSUID: their messages under any linked identifier. */
  person?: string | undefined;
  phoneNumberId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  after?: Keyset | undefined;
  limit: number;
}

/** An event as json_build_object gives it: times are strings, the id a number. */
interface EventJson {
  id: number;
  status: string;
  timestamp: string;
  receivedAt: string;
  errors: StatusEvent["errors"];
  pricing: StatusEvent["pricing"];
  conversation: StatusEvent["conversation"];
  raw: StatusEvent["raw"];
}

const fromJson = (e: EventJson): StatusEvent =>
  ({ ...e, id: BigInt(e.id), timestamp: new Date(e.timestamp), receivedAt: new Date(e.receivedAt) }) as StatusEvent;

/** How many recent messages the conversation list looks at. */
const RECENT_WINDOW = 5_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every column, named as Prisma names them, for the reads that stay SQL. */
const COLUMNS = Prisma.sql`id, wamid, direction::text AS direction, phone_number_id AS "phoneNumberId", wa_id AS "waId",
  "to", "from", user_id AS "userId", parent_user_id AS "parentUserId", username, contact_name AS "contactName", type,
  payload, status::text AS status, failure_reason AS "failureReason", graph_version AS "graphVersion",
  created_at AS "createdAt", updated_at AS "updatedAt", deadline_at AS "deadlineAt", accepted_at AS "acceptedAt",
  sent_at AS "sentAt", delivered_at AS "deliveredAt", read_at AS "readAt", played_at AS "playedAt",
  failed_at AS "failedAt", marked_read_at AS "markedReadAt", errors, pricing, conversation,
  biz_opaque_callback_data AS "bizOpaqueCallbackData"`;

export function createQueryRepository({ prisma }: Database) {
  return {
    /**
     * One message and its audit trail in one round trip. The trail is the wamid's events and
     * those kept under the message's id (a send that failed without a wamid); events can come
     * before their message, so there is no relation for Prisma to follow. Ordered by the caller.
     */
    async findMessage(idOrWamid: string): Promise<{ message: Message; events: StatusEvent[] } | undefined> {
      const where = UUID.test(idOrWamid) ? Prisma.sql`id = ${idOrWamid}::uuid` : Prisma.sql`wamid = ${idOrWamid}`;
      const [row] = await prisma.$queryRaw<(Message & { events: EventJson[] })[]>`
        SELECT ${COLUMNS}, COALESCE(trail.events, '[]'::json) AS events
        FROM messages LEFT JOIN LATERAL (
          SELECT json_agg(json_build_object('id', e.id, 'status', e.status, 'timestamp', e."timestamp",
            'receivedAt', e.received_at, 'errors', e.errors, 'pricing', e.pricing, 'conversation', e.conversation, 'raw', e.raw)) AS events
          FROM status_events e WHERE e.wamid = messages.wamid OR e.message_id = messages.id
        ) trail ON true
        WHERE ${where}`;
      if (!row) return undefined;
      const { events, ...message } = row;
      return { message, events: events.map(fromJson) };
    },

    /** Newest first; `limit + 1` rows are read to know whether another page exists. */
    list(f: ListFilter): Promise<Message[]> {
      const conditions: Prisma.Sql[] = [];
      if (f.person) conditions.push(ofPerson);
      if (f.direction) conditions.push(Prisma.sql`direction = ${f.direction}::"Direction"`);
      if (f.status) conditions.push(Prisma.sql`status = ${f.status}::"MessageStatus"`);
      if (f.waId) conditions.push(Prisma.sql`wa_id = ${f.waId}`);
      if (f.phoneNumberId) conditions.push(Prisma.sql`phone_number_id = ${f.phoneNumberId}`);
      if (f.since) conditions.push(Prisma.sql`created_at >= ${f.since}`);
      if (f.until) conditions.push(Prisma.sql`created_at < ${f.until}`);
      if (f.after) conditions.push(Prisma.sql`(created_at, id) < (${f.after.createdAt}, ${f.after.id}::uuid)`);
      const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
      // A person is a recursive walk of identity_links (see people/sql.ts).
      const withPerson = f.person ? Prisma.sql`WITH ${person(f.person)}` : Prisma.empty;
      return prisma.$queryRaw<Message[]>`${withPerson}
        SELECT ${COLUMNS} FROM messages ${where}
        ORDER BY created_at DESC, id DESC LIMIT ${f.limit + 1}`;
    },

    /**
     * Both directions with one person, oldest first: every message whose other party is one of
     * the identifiers linked to `key`. SQL: the person is a recursive walk of identity_links.
     */
    conversation(key: string, opts: { phoneNumberId?: string | undefined; after?: Keyset | undefined; limit: number; newestFirst?: boolean }): Promise<Message[]> {
      const phone = opts.phoneNumberId ? Prisma.sql`AND phone_number_id = ${opts.phoneNumberId}` : Prisma.empty;
      const after = !opts.after
        ? Prisma.empty
        : opts.newestFirst
          ? Prisma.sql`AND (created_at, id) < (${opts.after.createdAt}, ${opts.after.id}::uuid)`
          : Prisma.sql`AND (created_at, id) > (${opts.after.createdAt}, ${opts.after.id}::uuid)`;
      const order = opts.newestFirst ? Prisma.sql`created_at DESC, id DESC` : Prisma.sql`created_at ASC, id ASC`;
      return prisma.$queryRaw<Message[]>`WITH ${person(key)}
        SELECT ${COLUMNS} FROM messages WHERE ${ofPerson} ${phone} ${after}
        ORDER BY ${order} LIMIT ${opts.limit + 1}`;
    },

    /**
     * The people of the last RECENT_WINDOW messages (those whose contact name or username
     * starts with `name`, when given), newest first, each with their latest message and the
     * latest name Meta gave in that window. A message that shows only a BSUID counts for the
     * phone number it is linked to, so one person is one entry. Without a name this walks the
     * created_at index; with one, no index serves a case-insensitive prefix and a large table
     * is read. SQL: the aggregate and the lateral join have no Prisma form.
     */
    recentConversations(opts: { name?: string | undefined; phoneNumberId?: string | undefined; limit: number }) {
      const conditions = [Prisma.sql`(wa_id IS NOT NULL OR user_id IS NOT NULL OR parent_user_id IS NOT NULL)`];
      const phone = opts.phoneNumberId ? Prisma.sql`AND phone_number_id = ${opts.phoneNumberId}` : Prisma.empty;
      if (opts.phoneNumberId) conditions.push(Prisma.sql`phone_number_id = ${opts.phoneNumberId}`);
      // The prefix as ILIKE reads it: its own % _ and \ are plain characters.
      if (opts.name) {
        const prefix = `${opts.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        conditions.push(Prisma.sql`(contact_name ILIKE ${prefix} OR username ILIKE ${prefix})`);
      }
      return prisma.$queryRaw<(Message & { person: string; latestName: string | null })[]>`
        WITH seen AS (
          SELECT COALESCE(wa_id,
              (SELECT l.b FROM identity_links l WHERE l.a = COALESCE(user_id, parent_user_id) AND l.b ~ '^[0-9]+$' ORDER BY l.b LIMIT 1),
              user_id, parent_user_id) AS person,
            created_at, contact_name
          FROM messages WHERE ${Prisma.join(conditions, " AND ")}
          ORDER BY created_at DESC, id DESC LIMIT ${RECENT_WINDOW}
        ), people AS (
          SELECT person, max(created_at) AS at,
            (array_agg(contact_name ORDER BY created_at DESC) FILTER (WHERE contact_name IS NOT NULL))[1] AS "latestName"
          FROM seen GROUP BY person ORDER BY at DESC LIMIT ${opts.limit}
        )
        SELECT p.person, p."latestName", last.* FROM people p CROSS JOIN LATERAL (
          WITH ${person(Prisma.sql`p.person`)}
          SELECT ${COLUMNS} FROM messages WHERE ${ofPerson} ${phone}
          ORDER BY created_at DESC, id DESC LIMIT 1
        ) last
        ORDER BY last."createdAt" DESC, last.id DESC`;
    },

    /**
     * Counts per direction and status, and how many reached sent, delivered and read, in one
     * scan of the window. SQL: conditional counts (FILTER) have no Prisma form, and separate
     * groupBy calls would scan the window once each.
     */
    async stats(since: Date, until: Date, phoneNumberId?: string) {
      const phone = phoneNumberId ? Prisma.sql`AND phone_number_id = ${phoneNumberId}` : Prisma.empty;
      const [counts, failures] = await Promise.all([
        prisma.$queryRaw<{ direction: string; status: string; n: bigint; sent: bigint; delivered: bigint; read: bigint }[]>`
          SELECT direction::text AS direction, status::text AS status, count(*) AS n,
            count(*) FILTER (WHERE sent_at IS NOT NULL OR status::text = ANY(${reached("sent")})) AS sent,
            count(*) FILTER (WHERE delivered_at IS NOT NULL OR status::text = ANY(${reached("delivered")})) AS delivered,
            count(*) FILTER (WHERE read_at IS NOT NULL OR status::text = ANY(${reached("read")})) AS read
          FROM messages WHERE created_at >= ${since} AND created_at < ${until} ${phone}
          GROUP BY direction, status`,
        // SQL: grouped by a value inside the errors JSON, which Prisma's groupBy cannot reach.
        prisma.$queryRaw<{ code: string; n: bigint }[]>`
          SELECT COALESCE(errors->0->>'code', 'unknown') AS code, count(*) AS n
          FROM messages WHERE created_at >= ${since} AND created_at < ${until} ${phone}
            AND direction = 'outbound' AND status = 'failed'
          GROUP BY 1 ORDER BY 2 DESC, 1`,
      ]);
      return { counts, failures };
    },
  };
}

export type QueryRepository = ReturnType<typeof createQueryRepository>;
