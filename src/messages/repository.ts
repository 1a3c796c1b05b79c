// Data access for the send path. Only repositories talk to the database.
import type { Database } from "../db/index.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { identityLinks, isParentBsuid, phoneDigits, phoneKey, type Link } from "../people/identifiers.ts";
import { linkedName, linksCte } from "../people/sql.ts";
import { statusChangedEvents } from "../relay/sql.ts";
import { EVERY_FORMAT, type RelayTargets } from "../relay/targets.ts";

export interface PendingSend {
  phoneNumberId: string;
  /** The caller's `to` (a phone number), null when it named the recipient by BSUID only. */
  to: string | null;
  /** The caller's `recipient`: a BSUID or a parent BSUID. */
  recipient: string | null;
  type: string;
  payload: unknown;
  graphVersion: string;
  bizOpaqueCallbackData?: string | undefined;
  deadlineAt: Date;
}

export interface Accepted {
  wamid: string;
  waId: string | null;
  /** The BSUID in Meta's answer (`contacts[0].user_id`). */
  userId: string | null;
  acceptedAt: Date;
  /**
   * What the caller named the recipient by (`to`, `recipient`): linked to Meta's identifiers
   * once Meta has accepted the send, never before (a refused send proves nothing).
   */
  named?: (string | null)[];
}

export type AcceptedRow = Accepted & { id: string };

export type PendingRow = PendingSend & { id: string; createdAt: Date };

/** One write of the send path: a send to store as pending, or Meta's acceptance of one. */
export type SendWrite = { pending: PendingRow } | { accepted: AcceptedRow };

/**
 * The SQL of the writes every send makes. They run through Database.execute (the driver itself, as named prepared statements), the
 * rest through Prisma. Each statement's text is the same whatever its rows (they travel
 * as one jsonb parameter), so Postgres parses it once per connection.
 */
const sql = {
  createPending(rows: PendingRow[], links: Link[]): Prisma.Sql {
    return links.length ? Prisma.sql`WITH ${linksCte(links)} new_pending AS (${pendingInsert(rows)}) SELECT 1` : pendingInsert(rows);
  },

  /**
   * Meta accepted these sends: each pending row gets its wamid and an `accepted` event.
   * A status webhook can beat Meta's answer and leave a placeholder row under the same
   * wamid; then the placeholder takes the send's id and data and keeps every status it
   * already has. One statement, conflicting on the wamid's unique index with the
   * webhook's own upsert, so the two never lose each other's writes in either order. The
   * relay's `accepted` events ride in it (none when a webhook got there first with a higher status).
   */
  markAccepted(rows: AcceptedRow[], links: Link[], relay: boolean): Prisma.Sql {
    return Prisma.sql`WITH ${linksCte(links)} ${acceptedMove(rows, relay)}`;
  },

  /**
   * Both at once: new pending rows and the acceptances of earlier sends in one statement,
   * one round trip and one commit. A send's acceptance is only written after its pending
   * row has committed, so the two parts never touch the same row.
   */
  pendingAndAccepted(pending: PendingRow[], accepted: AcceptedRow[], links: Link[], relay: boolean): Prisma.Sql {
    return Prisma.sql`WITH ${linksCte(links)} new_pending AS (${pendingInsert(pending)}), ${acceptedMove(accepted, relay)}`;
  },
};

/**
 * The identifiers an accepted send showed together: Meta's wa_id and user_id, and what the
 * caller named the recipient by. Pending rows link nothing: Meta has not taken them yet.
 */
function sendLinks(accepted: AcceptedRow[]): Link[] {
  return identityLinks(accepted.map((a) => [phoneDigits(a.waId), a.userId, ...(a.named ?? [])]));
}

function pendingInsert(rows: PendingRow[]): Prisma.Sql {
  const input = JSON.stringify(
    rows.map((p) => ({
      id: p.id,
      phone_number_id: p.phoneNumberId,
      to: p.to,
      wa_id: phoneKey(p.to), // a group id or a mistyped value is no phone number
      user_id: p.recipient && !isParentBsuid(p.recipient) ? p.recipient : null,
      parent_user_id: p.recipient && isParentBsuid(p.recipient) ? p.recipient : null,
      type: p.type,
      payload: p.payload,
      graph_version: p.graphVersion,
      biz: p.bizOpaqueCallbackData ?? null,
      deadline_at: p.deadlineAt,
      created_at: p.createdAt,
    })),
  );
  return Prisma.sql`
    INSERT INTO messages (id, direction, status, phone_number_id, "to", wa_id, user_id, parent_user_id, type, payload,
      graph_version, biz_opaque_callback_data, deadline_at, created_at, updated_at)
    SELECT id, 'outbound', 'pending', phone_number_id, "to", wa_id, user_id, parent_user_id, type, payload,
      graph_version, biz, deadline_at, created_at, created_at
    FROM jsonb_to_recordset(${input}::jsonb) AS x(id uuid, phone_number_id text, "to" text, wa_id text,
      user_id text, parent_user_id text, type text, payload jsonb, graph_version text, biz text,
      deadline_at timestamptz, created_at timestamptz)`;
}

/**
 * The CTEs and final upsert of the accepted write (see sql.markAccepted), without its WITH.
 * With `relay`, the upserted rows are returned to queue the `ticks` events of those whose
 * status changed; without (no `ticks` subscription), the upsert is the statement's end.
 */
function acceptedMove(rows: AcceptedRow[], relay: boolean): Prisma.Sql {
  const input = JSON.stringify(rows.map((r) => ({ id: r.id, wamid: r.wamid, wa_id: phoneDigits(r.waId), user_id: r.userId, accepted_at: r.acceptedAt })));
  const ids = `{${rows.map((r) => r.id).join(",")}}`; // our own uuids
  return Prisma.sql`
    input AS (
      SELECT DISTINCT ON (wamid) * FROM jsonb_to_recordset(${input}::jsonb)
        AS x(id uuid, wamid text, wa_id text, user_id text, accepted_at timestamptz) ORDER BY wamid
    ), pending AS (
      -- By primary key only, whatever the table's size: the id array tells the planner how
      -- few rows there are (it guesses 100 for jsonb_to_recordset and then hash-joined a
      -- sequential scan of messages), and COALESCE keeps it off the wamid index's NULLs,
      -- one per dead pending row until vacuum (both measured: 7 ms a batch after 30,000 sends).
      DELETE FROM messages p USING input i
      WHERE p.id = ANY(${ids}::uuid[]) AND p.id = i.id AND COALESCE(p.wamid, '') = ''
      RETURNING p.*, i.wamid AS new_wamid, i.wa_id AS new_wa_id, i.user_id AS new_user_id, i.accepted_at AS new_accepted_at
    ), event AS (
      INSERT INTO status_events (wamid, status, "timestamp", received_at)
      SELECT new_wamid, 'accepted', new_accepted_at, new_accepted_at FROM pending
      ON CONFLICT (wamid, status) DO NOTHING
    )${relay ? Prisma.sql`, moved AS (` : Prisma.empty}
    INSERT INTO messages AS m (id, wamid, direction, phone_number_id, wa_id, "to", user_id, parent_user_id, type,
      payload, status, previous_status, graph_version, created_at, updated_at, accepted_at, biz_opaque_callback_data)
    SELECT id, new_wamid, direction, phone_number_id, COALESCE(new_wa_id, wa_id), "to", COALESCE(new_user_id, user_id),
      parent_user_id, type, payload, 'accepted', status, graph_version, created_at, now(), new_accepted_at, biz_opaque_callback_data
    FROM pending ORDER BY new_wamid
    ON CONFLICT (wamid) DO UPDATE SET
      previous_status = m.status,
      id = EXCLUDED.id,
      direction = EXCLUDED.direction,
      phone_number_id = EXCLUDED.phone_number_id,
      wa_id = COALESCE(EXCLUDED.wa_id, m.wa_id),
      "to" = EXCLUDED."to",
      user_id = COALESCE(EXCLUDED.user_id, m.user_id),
      parent_user_id = COALESCE(EXCLUDED.parent_user_id, m.parent_user_id),
      type = EXCLUDED.type,
      payload = EXCLUDED.payload,
      status = GREATEST(m.status, EXCLUDED.status),
      graph_version = EXCLUDED.graph_version,
      created_at = EXCLUDED.created_at,
      updated_at = now(),
      accepted_at = EXCLUDED.accepted_at,
      biz_opaque_callback_data = COALESCE(m.biz_opaque_callback_data, EXCLUDED.biz_opaque_callback_data)
    ${relay ? Prisma.sql`RETURNING * ), ${statusChangedEvents("moved")} SELECT 1` : Prisma.empty}`;
}

/** `targets`: which relay formats have subscribers (default: all; see relay/targets.ts). */
export function createSendRepository(db: Database, targets: () => RelayTargets = () => EVERY_FORMAT) {
  const run = async (name: string, q: Prisma.Sql) => void (await db.execute(q.text, q.values, name));
  // Sends that failed without a status webhook: each gets its `failed` event in the audit
  // trail in the same statement, under its message id (it has no wamid). Raw SQL: the rows it
  // fails and their events in one statement.
  const fail = (reason: string, error: unknown, where: Prisma.Sql) => db.prisma.$executeRaw`
    WITH failed AS (
      UPDATE messages SET previous_status = status, status = 'failed', failure_reason = ${reason}, failed_at = now(), updated_at = now(),
        deadline_at = NULL, errors = jsonb_build_array(${JSON.stringify(error)}::jsonb)
      WHERE ${where}
      RETURNING *
    ), ${statusChangedEvents("failed")}
    INSERT INTO status_events (message_id, wamid, status, "timestamp", received_at, errors)
    SELECT id, wamid, 'failed', failed_at, failed_at, errors FROM failed`;
  const markFailed = (id: string, reason: string, error: unknown, onlyIf: Prisma.Sql) =>
    fail(reason, error, Prisma.sql`id = ${id}::uuid AND ${onlyIf}`);
  return {
    /**
     * The group-committed writes of many sends in one statement: sends stored as `pending`
     * before they are forwarded, and Meta's acceptances of earlier ones.
     */
    async write(writes: SendWrite[]): Promise<void> {
      const pending: PendingRow[] = [];
      const accepted: AcceptedRow[] = [];
      for (const w of writes) if ("pending" in w) pending.push(w.pending); else accepted.push(w.accepted);
      const links = sendLinks(accepted);
      if (accepted.length === 0) return run(linkedName("ticks_send_pending", links), sql.createPending(pending, links));
      const relay = targets().ticks;
      const name = (base: string) => linkedName(relay ? base : `${base}_quiet`, links);
      if (pending.length === 0) return run(name("ticks_send_accepted"), sql.markAccepted(accepted, links, relay));
      return run(name("ticks_send_pending_accepted"), sql.pendingAndAccepted(pending, accepted, links, relay));
    },

    /**
     * Meta answered with an error: the send failed and Meta's error is kept. Written late (the
     * database was down), it replaces the sweep's `unconfirmed`: Meta's word is the better one.
     */
    async markRejected(id: string, error: unknown): Promise<void> {
      await markFailed(id, "rejected", error, Prisma.sql`(status = 'pending' OR (status = 'failed' AND failure_reason = 'unconfirmed'))`);
    },

    /** Every attempt failed before connecting: Meta never saw the send. */
    async markUnreachable(id: string, reason: string): Promise<void> {
      await markFailed(id, "unreachable", { code: 2, title: "unreachable", message: reason }, Prisma.sql`status = 'pending'`);
    },

    /** Meta did not answer in time: it may have sent it, so it is never resent by itself. */
    async markUnconfirmed(id: string, reason: string): Promise<void> {
      await markFailed(id, "unconfirmed", { code: 2, title: "unconfirmed", message: reason }, Prisma.sql`status = 'pending'`);
    },

    /** Sends left pending by a crash, past their deadline, become failed/unconfirmed. */
    async failExpiredPending(now = new Date()): Promise<number> {
      const error = { code: 2, title: "unconfirmed", message: "Ticks stopped before Meta answered; the message may have been sent" };
      return fail("unconfirmed", error, Prisma.sql`status = 'pending' AND deadline_at < ${now}`);
    },
  };
}

export type SendRepository = ReturnType<typeof createSendRepository>;
