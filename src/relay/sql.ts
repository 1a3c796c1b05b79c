// The SQL that queues the relay's work in the statements that store what it reports
// (docs/relay.md): an event or a webhook POST is in the outbox once, and only if, what it
// reports has committed. Shared by the webhook and send repositories.
import { createHash } from "node:crypto";
import { Prisma } from "../generated/prisma/client.ts";

/** A webhook POST that Ticks answered 200: its bytes and the phone numbers it is about. */
export interface RelayedPost {
  body: Buffer;
  phoneNumberIds: string[];
}

type EventType = "message.status.updated" | "message.received";

/** The `ticks` subscriptions that take `type` for a message of `phone` (an SQL expression). */
const takes = (type: EventType, phone: string) => Prisma.raw(`s.format = 'ticks' AND NOT s.disabled
      AND (COALESCE(cardinality(s.events), 0) = 0 OR '${type}' = ANY(s.events))
      AND (COALESCE(cardinality(s.phone_number_ids), 0) = 0 OR ${phone} = ANY(s.phone_number_ids))`);

/**
 * CTEs named `${name}…` (no leading or trailing comma) that queue what `select` gives, one
 * delivery per row (subscription_id, event_type, order_key, body, data): the delivery's row
 * and its payload (delivery_payloads, under the same id, taken from the sequence first so that
 * both are written in this statement).
 */
function queued(name: string, select: string): string {
  return `${name} AS MATERIALIZED (
        SELECT nextval('deliveries_id_seq') AS id, q.* FROM (${select}) q
      ), ${name}_deliveries AS (
        INSERT INTO deliveries (id, subscription_id, event_type, order_key)
        SELECT id, subscription_id, event_type, order_key FROM ${name}
      ), ${name}_payloads AS (
        INSERT INTO delivery_payloads (id, body, data) SELECT id, body, data FROM ${name}
      )`;
}

/**
 * CTEs (see queued: `${name}` and two more, no leading or trailing comma) queuing one
 * `message.status.updated` per subscription for each row of the CTE `rows` (messages as
 * RETURNING * gives them) whose status this statement changed: its `previous_status` is the
 * status the row had before (NULL for a new row). The event's data is the row as it is now,
 * so a later change cannot alter what this one says.
 */
export function statusChangedEvents(rows: string, name = "status_events_queued"): Prisma.Sql {
  return Prisma.raw(
    queued(
      name,
      `SELECT s.id AS subscription_id, 'message.status.updated' AS event_type, COALESCE(c.wamid, c.id::text) AS order_key, NULL::bytea AS body, to_jsonb(c) AS data
      FROM ${rows} c JOIN subscriptions s ON ${takes("message.status.updated", "c.phone_number_id").text}
      WHERE c.status IS DISTINCT FROM c.previous_status
      ORDER BY c.id`,
    ),
  );
}

/** Like statusChangedEvents: one `message.received` per subscription for each row of `rows`. */
export function receivedEvents(rows: string, name = "received_queued"): Prisma.Sql {
  return Prisma.raw(
    queued(
      name,
      `SELECT s.id AS subscription_id, 'message.received' AS event_type, COALESCE(c.wamid, c.id::text) AS order_key, NULL::bytea AS body, to_jsonb(c) AS data
      FROM ${rows} c JOIN subscriptions s ON ${takes("message.received", "c.phone_number_id").text}
      ORDER BY c.id`,
    ),
  );
}

/**
 * CTEs (ending with a comma) that queue webhook POSTs for the `meta` subscriptions whose
 * phone numbers they name, unless the same bytes went to that subscription in the last 24
 * hours (Meta's retries): the dedupe is an upsert on (subscription, sha256), so concurrent
 * writers agree. Nothing when there are none, so a statement without them stays as it was.
 */
export function relayedPostsCte(posts: RelayedPost[]): Prisma.Sql {
  if (posts.length === 0) return Prisma.empty;
  const seen = new Set<string>();
  const rows: { hash: string; body: string; phones: string[] }[] = [];
  for (const p of posts) {
    const hash = createHash("sha256").update(p.body).digest("hex");
    if (seen.has(hash)) continue; // the same bytes twice in one statement: once
    seen.add(hash);
    rows.push({ hash, body: p.body.toString("base64"), phones: p.phoneNumberIds });
  }
  return Prisma.sql`posts AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(hash text, body text, phones text[])
    ), posts_wanted AS (
      SELECT s.id AS subscription_id, i.hash, i.body FROM posts i JOIN subscriptions s
        ON s.format = 'meta' AND NOT s.disabled
        AND (COALESCE(cardinality(s.phone_number_ids), 0) = 0 OR s.phone_number_ids && i.phones)
    ), posts_fresh AS (
      INSERT INTO relayed_posts AS p (subscription_id, hash, first_at)
      SELECT subscription_id, hash, now() FROM posts_wanted ORDER BY subscription_id, hash
      ON CONFLICT (subscription_id, hash) DO UPDATE SET first_at = now()
      WHERE p.first_at < now() - interval '24 hours'
      RETURNING subscription_id, hash
    ), ${Prisma.raw(
      queued(
        "posts_queued",
        `SELECT w.subscription_id, 'meta' AS event_type, NULL::text AS order_key, decode(w.body, 'base64') AS body, NULL::jsonb AS data
        FROM posts_fresh f JOIN posts_wanted w USING (subscription_id, hash)`,
      ),
    )},`;
}
