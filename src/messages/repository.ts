// Data access for the send path. Only repositories talk to the database.
import type { Db } from "../db/index.ts";
import { Prisma } from "../generated/prisma/client.ts";

export interface PendingSend {
  phoneNumberId: string;
  to: string;
  type: string;
  payload: unknown;
  graphVersion: string;
  bizOpaqueCallbackData?: string | undefined;
  deadlineAt: Date;
}

export interface Accepted {
  wamid: string;
  waId: string | null;
  acceptedAt: Date;
}

export function createSendRepository(db: Db) {
  return {
    async createPending(p: PendingSend): Promise<string> {
      const row = await db.message.create({
        data: {
          direction: "outbound",
          status: "pending",
          phoneNumberId: p.phoneNumberId,
          to: p.to,
          waId: p.to.replace(/\D/g, "") || null,
          type: p.type,
          payload: p.payload as Prisma.InputJsonValue,
          graphVersion: p.graphVersion,
          bizOpaqueCallbackData: p.bizOpaqueCallbackData ?? null,
          deadlineAt: p.deadlineAt,
        },
        select: { id: true },
      });
      return row.id;
    },

    /**
     * Meta accepted the send: give the pending row its wamid and the `accepted` event.
     * A status webhook can beat this answer and leave a placeholder row under the same
     * wamid; then the placeholder takes the send's id and data and keeps every status it
     * already has. One statement, conflicting on the wamid's unique index with the
     * webhook's own upsert, so the two never lose each other's writes in either order.
     */
    async markAccepted(id: string, a: Accepted): Promise<void> {
      await db.$executeRaw`
        WITH pending AS (
          DELETE FROM messages WHERE id = ${id}::uuid AND wamid IS NULL RETURNING *
        ), event AS (
          INSERT INTO status_events (wamid, status, "timestamp", received_at)
          SELECT ${a.wamid}, 'accepted', ${a.acceptedAt}, ${a.acceptedAt} FROM pending
          ON CONFLICT (wamid, status) DO NOTHING
        )
        INSERT INTO messages AS m (id, wamid, direction, phone_number_id, wa_id, "to", type, payload, status,
          graph_version, created_at, updated_at, accepted_at, biz_opaque_callback_data)
        SELECT id, ${a.wamid}, direction, phone_number_id, COALESCE(${a.waId}, wa_id), "to", type, payload,
          'accepted', graph_version, created_at, now(), ${a.acceptedAt}, biz_opaque_callback_data
        FROM pending
        ON CONFLICT (wamid) DO UPDATE SET
          id = EXCLUDED.id,
          direction = EXCLUDED.direction,
          phone_number_id = EXCLUDED.phone_number_id,
          wa_id = COALESCE(EXCLUDED.wa_id, m.wa_id),
          "to" = EXCLUDED."to",
          type = EXCLUDED.type,
          payload = EXCLUDED.payload,
          status = GREATEST(m.status, EXCLUDED.status),
          graph_version = EXCLUDED.graph_version,
          created_at = EXCLUDED.created_at,
          updated_at = now(),
          accepted_at = EXCLUDED.accepted_at,
          biz_opaque_callback_data = COALESCE(m.biz_opaque_callback_data, EXCLUDED.biz_opaque_callback_data)`;
    },

    /** Meta answered with an error: the send failed and Meta's error is kept. */
    async markRejected(id: string, error: unknown): Promise<void> {
      await markFailed(db, id, "rejected", error);
    },

    /** Meta did not answer in time: it may have sent it, so it is never resent by itself. */
    async markUnconfirmed(id: string, reason: string): Promise<void> {
      await markFailed(db, id, "unconfirmed", { code: 2, title: "unconfirmed", message: reason });
    },

    /** Sends left pending by a crash, past their deadline, become failed/unconfirmed. */
    async failExpiredPending(now = new Date()): Promise<number> {
      return db.$executeRaw`
        UPDATE messages SET status = 'failed', failure_reason = 'unconfirmed', failed_at = now(),
          updated_at = now(), deadline_at = NULL,
          errors = jsonb_build_array(jsonb_build_object('code', 2, 'title', 'unconfirmed',
            'message', 'Ticks stopped before Meta answered; the message may have been sent'))
        WHERE status = 'pending' AND deadline_at < ${now}`;
    },
  };
}

function markFailed(db: Db, id: string, reason: string, error: unknown) {
  return db.$executeRaw`
    UPDATE messages SET status = 'failed', failure_reason = ${reason}, failed_at = now(), updated_at = now(),
      deadline_at = NULL, errors = jsonb_build_array(${JSON.stringify(error)}::jsonb)
    WHERE id = ${id}::uuid AND status = 'pending'`;
}

export type SendRepository = ReturnType<typeof createSendRepository>;
