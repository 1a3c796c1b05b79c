// Reads for support teams and backends. Every query is served by an index of
// prisma/schema.prisma (EXPLAINs: npm run bench:queries, docs/benchmarks.md); pages are keyset-paginated on
// (created_at, id) so that paging is stable while new messages arrive and never scans
// an offset.
import type { Database } from "../db/index.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { ofPerson, person } from "../people/sql.ts";
import { EVENT_ORDER, reached } from "../messages/status.ts";

export interface MessageRow {
  id: string;
  wamid: string | null;
  direction: "outbound" | "inbound";
  phone_number_id: string;
  to: string | null;
  from: string | null;
  wa_id: string | null;
  user_id: string | null;
  parent_user_id: string | null;
  username: string | null;
  contact_name: string | null;
  type: string | null;
  payload: unknown;
  status: string;
  failure_reason: string | null;
  created_at: Date;
  accepted_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  played_at: Date | null;
  failed_at: Date | null;
  marked_read_at: Date | null;
  errors: unknown;
  pricing: unknown;
  conversation: unknown;
  biz_opaque_callback_data: string | null;
}

/** An event as json_build_object gives it: times are strings. */
export interface EventRow {
  status: string;
  timestamp: string;
  received_at: string;
  errors: unknown;
  pricing: unknown;
  conversation: unknown;
}

export interface Keyset {
  createdAt: Date;
  id: string;
}

export interface ListFilter {
  direction?: "outbound" | "inbound";
  status?: string;
  waId?: string;
  /** A person's phone digits, BSUID or parent BSUID: their messages under any linked identifier. */
  person?: string;
  phoneNumberId?: string;
  since?: Date;
  until?: Date;
  after?: Keyset;
  limit: number;
}

const COLUMNS = Prisma.sql`id, wamid, direction, phone_number_id, "to", "from", wa_id, user_id, parent_user_id, username,
  contact_name, type, payload,
  status::text AS status, failure_reason, created_at, accepted_at, sent_at, delivered_at, read_at, played_at,
  failed_at, marked_read_at, errors, pricing, conversation, biz_opaque_callback_data`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The SQL of each read, exported so that scripts/bench-queries.ts can EXPLAIN exactly it. */
export const sql = {
  /**
   * One message with its audit trail, in one round trip (docs/api.md, "events"): Ticks'
   * `accepted` first (it has milliseconds, Meta's times are whole seconds, and the clocks
   * differ), then by time, within one second by rank. Events are the wamid's, and those of a
   * send that failed before it had one (kept under the message's id).
   */
  messageWithEvents(idOrWamid: string): Prisma.Sql {
    const where = UUID.test(idOrWamid) ? Prisma.sql`id = ${idOrWamid}::uuid` : Prisma.sql`wamid = ${idOrWamid}`;
    return Prisma.sql`
      SELECT ${COLUMNS}, COALESCE(trail.events, '[]'::json) AS events
      FROM messages LEFT JOIN LATERAL (
        SELECT json_agg(json_build_object('status', e.status, 'timestamp', e."timestamp", 'received_at', e.received_at,
            'errors', e.errors, 'pricing', e.pricing, 'conversation', e.conversation)
          ORDER BY e.status <> 'accepted', date_trunc('second', e."timestamp"),
            array_position(${EVENT_ORDER}::text[], e.status), e.id) AS events
        FROM status_events e WHERE e.wamid = messages.wamid OR e.message_id = messages.id
      ) trail ON true
      WHERE ${where}`;
  },

  /** Newest first; `limit + 1` rows are read to know whether another page exists. */
  list(f: ListFilter): Prisma.Sql {
      const conditions: Prisma.Sql[] = [];
      if (f.direction) conditions.push(Prisma.sql`direction = ${f.direction}::"Direction"`);
      if (f.status) conditions.push(Prisma.sql`status = ${f.status}::"MessageStatus"`);
      if (f.waId) conditions.push(Prisma.sql`wa_id = ${f.waId}`);
      if (f.person) conditions.push(ofPerson);
      if (f.phoneNumberId) conditions.push(Prisma.sql`phone_number_id = ${f.phoneNumberId}`);
      if (f.since) conditions.push(Prisma.sql`created_at >= ${f.since}`);
      if (f.until) conditions.push(Prisma.sql`created_at < ${f.until}`);
      if (f.after) conditions.push(Prisma.sql`(created_at, id) < (${f.after.createdAt}, ${f.after.id}::uuid)`);
      const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
      const withPerson = f.person ? Prisma.sql`WITH ${person(f.person)}` : Prisma.empty;
      return Prisma.sql`${withPerson}
        SELECT ${COLUMNS} FROM messages ${where}
        ORDER BY created_at DESC, id DESC LIMIT ${f.limit + 1}`;
  },

  /**
   * Both directions with one person, oldest first: every message whose other party is one of
   * the identifiers linked to `key` (a phone's digits, a BSUID or a parent BSUID).
   */
  conversation(key: string, opts: { phoneNumberId?: string; after?: Keyset; limit: number }): Prisma.Sql {
    const phone = opts.phoneNumberId ? Prisma.sql`AND phone_number_id = ${opts.phoneNumberId}` : Prisma.empty;
    const after = opts.after ? Prisma.sql`AND (created_at, id) > (${opts.after.createdAt}, ${opts.after.id}::uuid)` : Prisma.empty;
    return Prisma.sql`WITH ${person(key)}
      SELECT ${COLUMNS} FROM messages WHERE ${ofPerson} ${phone} ${after}
      ORDER BY created_at ASC, id ASC LIMIT ${opts.limit + 1}`;
  },

  statusCounts(since: Date, until: Date, phoneNumberId?: string): Prisma.Sql {
    const phone = phoneNumberId ? Prisma.sql`AND phone_number_id = ${phoneNumberId}` : Prisma.empty;
    return Prisma.sql`
      SELECT direction::text AS direction, status::text AS status, count(*) AS n,
        count(*) FILTER (WHERE sent_at IS NOT NULL OR status::text = ANY(${reached("sent")})) AS sent,
        count(*) FILTER (WHERE delivered_at IS NOT NULL OR status::text = ANY(${reached("delivered")})) AS delivered,
        count(*) FILTER (WHERE read_at IS NOT NULL OR status::text = ANY(${reached("read")})) AS read
      FROM messages WHERE created_at >= ${since} AND created_at < ${until} ${phone}
      GROUP BY direction, status`;
  },

  failureCodes(since: Date, until: Date, phoneNumberId?: string): Prisma.Sql {
    const phone = phoneNumberId ? Prisma.sql`AND phone_number_id = ${phoneNumberId}` : Prisma.empty;
    return Prisma.sql`
      SELECT COALESCE(errors->0->>'code', 'unknown') AS code, count(*) AS n
      FROM messages WHERE created_at >= ${since} AND created_at < ${until} ${phone}
        AND direction = 'outbound' AND status = 'failed'
      GROUP BY 1 ORDER BY 2 DESC, 1`;
  },
};

export function createQueryRepository({ prisma: db }: Database) {
  return {
    async findMessage(idOrWamid: string): Promise<(MessageRow & { events: EventRow[] }) | undefined> {
      return (await db.$queryRaw<(MessageRow & { events: EventRow[] })[]>(sql.messageWithEvents(idOrWamid)))[0];
    },
    list: (f: ListFilter) => db.$queryRaw<MessageRow[]>(sql.list(f)),
    conversation: (key: string, opts: { phoneNumberId?: string; after?: Keyset; limit: number }) =>
      db.$queryRaw<MessageRow[]>(sql.conversation(key, opts)),
    async stats(since: Date, until: Date, phoneNumberId?: string) {
      const [counts, failures] = await Promise.all([
        db.$queryRaw<{ direction: string; status: string; n: bigint; sent: bigint; delivered: bigint; read: bigint }[]>(sql.statusCounts(since, until, phoneNumberId)),
        db.$queryRaw<{ code: string; n: bigint }[]>(sql.failureCodes(since, until, phoneNumberId)),
      ]);
      return { counts, failures };
    },
  };
}

export type QueryRepository = ReturnType<typeof createQueryRepository>;
