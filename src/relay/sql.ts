// The SQL that queues the relay's work in the statements that store what it reports
// (docs/relay.md): an event or a webhook POST is in the outbox once, and only if, what it
// reports has committed. Shared by the webhook and send repositories.
import { Prisma } from "../generated/prisma/client.ts";

export type EventType = "message.status.updated" | "message.received";

/** The `ticks` subscriptions that take `type` for a message of `phone` (an SQL expression). */
const takes = (type: EventType, phone: string) => Prisma.raw(`s.format = 'ticks' AND NOT s.disabled
      AND (COALESCE(cardinality(s.events), 0) = 0 OR '${type}' = ANY(s.events))
      AND (COALESCE(cardinality(s.phone_number_ids), 0) = 0 OR ${phone} = ANY(s.phone_number_ids))`);

/**
 * An INSERT (no WITH, no trailing comma) of one `message.status.updated` per subscription for
 * each row of the CTE `rows` (messages as RETURNING * gives them) whose status this statement
 * changed: its `previous_status` is the status the row had before (NULL for a new row). The
 * event's data is the row as it is now, so a later change cannot alter what this one says.
 */
export function statusChangedEvents(rows: string): Prisma.Sql {
  return Prisma.raw(`INSERT INTO deliveries (subscription_id, event_type, order_key, data)
      SELECT s.id, 'message.status.updated', COALESCE(c.wamid, c.id::text), to_jsonb(c)
      FROM ${rows} c JOIN subscriptions s ON ${takes("message.status.updated", "c.phone_number_id").text}
      WHERE c.status IS DISTINCT FROM c.previous_status
      ORDER BY c.id`);
}

/** Like statusChangedEvents: one `message.received` per subscription for each row of `rows`. */
export function receivedEvents(rows: string): Prisma.Sql {
  return Prisma.raw(`INSERT INTO deliveries (subscription_id, event_type, order_key, data)
      SELECT s.id, 'message.received', COALESCE(c.wamid, c.id::text), to_jsonb(c)
      FROM ${rows} c JOIN subscriptions s ON ${takes("message.received", "c.phone_number_id").text}
      ORDER BY c.id`);
}
