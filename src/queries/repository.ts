// Reads for support teams and backends. Lookups and listings go through Prisma's typed
// API; three reads stay SQL, each for its reason below. Every query is served by an index
// of prisma/schema.prisma (EXPLAINs: npm run bench:queries). Pages are keyset-paginated on
// (createdAt, id) so that paging is stable while new messages arrive and never scans an
// offset.
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every column, named as Prisma names them, for the reads that stay SQL. */
const COLUMNS = Prisma.sql`id, wamid, direction::text AS direction, phone_number_id AS "phoneNumberId", wa_id AS "waId",
  "to", "from", user_id AS "userId", parent_user_id AS "parentUserId", username, contact_name AS "contactName", type,
  payload, status::text AS status, failure_reason AS "failureReason", graph_version AS "graphVersion",
  created_at AS "createdAt", updated_at AS "updatedAt", deadline_at AS "deadlineAt", accepted_at AS "acceptedAt",
  sent_at AS "sentAt", delivered_at AS "deliveredAt", read_at AS "readAt", played_at AS "playedAt",
  failed_at AS "failedAt", marked_read_at AS "markedReadAt", errors, pricing, conversation,
  biz_opaque_callback_data AS "bizOpaqueCallbackData"`;

/** The typed filter of a listing; keyset as createdAt ≤ t (the index bound) and (createdAt < t or id < id). */
function listWhere(f: ListFilter): Prisma.MessageWhereInput {
  return {
    direction: f.direction,
    status: f.status,
    waId: f.waId,
    phoneNumberId: f.phoneNumberId,
    createdAt: { gte: f.since, lt: f.until, lte: f.after?.createdAt },
    ...(f.after ? { OR: [{ createdAt: { lt: f.after.createdAt } }, { id: { lt: f.after.id } }] } : {}),
  };
}

export function createQueryRepository({ prisma }: Database) {
  return {
    /** One message and its audit trail: the wamid's events, and those kept under its id (a send that failed without a wamid). */
    async findMessage(idOrWamid: string): Promise<{ message: Message; events: StatusEvent[] } | undefined> {
      const message = await prisma.message.findUnique({ where: UUID.test(idOrWamid) ? { id: idOrWamid } : { wamid: idOrWamid } });
      if (!message) return undefined;
      const events = await prisma.statusEvent.findMany({
        where: message.wamid ? { OR: [{ wamid: message.wamid }, { messageId: message.id }] } : { messageId: message.id },
      });
      return { message, events };
    },

    /** Newest first; `limit + 1` rows are read to know whether another page exists. */
    async list(f: ListFilter): Promise<Message[]> {
      if (f.person) return listOfPerson(f);
      return prisma.message.findMany({ where: listWhere(f), orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: f.limit + 1 });
    },

    /**
     * Both directions with one person, oldest first: every message whose other party is one of
     * the identifiers linked to `key`. SQL: the person is a recursive walk of identity_links.
     */
    conversation(key: string, opts: { phoneNumberId?: string | undefined; after?: Keyset | undefined; limit: number }): Promise<Message[]> {
      const phone = opts.phoneNumberId ? Prisma.sql`AND phone_number_id = ${opts.phoneNumberId}` : Prisma.empty;
      const after = opts.after ? Prisma.sql`AND (created_at, id) > (${opts.after.createdAt}, ${opts.after.id}::uuid)` : Prisma.empty;
      return prisma.$queryRaw<Message[]>`WITH ${person(key)}
        SELECT ${COLUMNS} FROM messages WHERE ${ofPerson} ${phone} ${after}
        ORDER BY created_at ASC, id ASC LIMIT ${opts.limit + 1}`;
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

  /** A listing narrowed to one person: SQL, for the same recursive walk as conversations. */
  function listOfPerson(f: ListFilter): Promise<Message[]> {
    const conditions: Prisma.Sql[] = [ofPerson];
    if (f.direction) conditions.push(Prisma.sql`direction = ${f.direction}::"Direction"`);
    if (f.status) conditions.push(Prisma.sql`status = ${f.status}::"MessageStatus"`);
    if (f.phoneNumberId) conditions.push(Prisma.sql`phone_number_id = ${f.phoneNumberId}`);
    if (f.since) conditions.push(Prisma.sql`created_at >= ${f.since}`);
    if (f.until) conditions.push(Prisma.sql`created_at < ${f.until}`);
    if (f.after) conditions.push(Prisma.sql`(created_at, id) < (${f.after.createdAt}, ${f.after.id}::uuid)`);
    return prisma.$queryRaw<Message[]>`WITH ${person(f.person!)}
      SELECT ${COLUMNS} FROM messages WHERE ${Prisma.join(conditions, " AND ")}
      ORDER BY created_at DESC, id DESC LIMIT ${f.limit + 1}`;
  }
}

export type QueryRepository = ReturnType<typeof createQueryRepository>;
