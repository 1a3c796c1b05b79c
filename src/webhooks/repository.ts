// Data access for webhooks. Status ingestion is the hot path (about 3 webhooks per sent
// message), so it is one set-based statement per batch of events: Postgres applies the
// rank rules (GREATEST over the MessageStatus enum, whose declaration order is the rank),
// keeps each status's own timestamp (LEAST ignores NULLs), and serialises concurrent
// writers on the wamid's unique index, so no read-modify-write happens in JavaScript. The
// relay's events ride in the same statements (relay/sql.ts).
import { createHash } from "node:crypto";
import type { Database } from "../db/index.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { identityLinks, KnownLinks } from "../people/identifiers.ts";
import { RANKED_WEBHOOK_STATUSES } from "../messages/status.ts";
import { linkedName, linksCte } from "../people/sql.ts";
import { receivedEvents, relayedPostsCte, statusChangedEvents, type RelayedPost } from "../relay/sql.ts";
import { EVERY_FORMAT, type RelayTargets } from "../relay/targets.ts";
import type { InboundRow, StatusRow, UnprocessedRow } from "./parse.ts";

/**
 * A CTE (starting with its comma) linking, both ways, the identifiers that the rows of
 * `changed` (messages, after this statement) hold together, for the `wamids` whose status
 * named a BSUID but no phone. Rows with one identifier link nothing.
 */
function rowLinks(wamids: string[]): Prisma.Sql {
  return Prisma.sql`, row_links AS (
          INSERT INTO identity_links (a, b)
          SELECT DISTINCT l.a, l.b FROM changed c CROSS JOIN LATERAL (VALUES
            (c.wa_id, c.user_id), (c.user_id, c.wa_id), (c.wa_id, c.parent_user_id),
            (c.parent_user_id, c.wa_id), (c.user_id, c.parent_user_id), (c.parent_user_id, c.user_id)) AS l(a, b)
          WHERE c.wamid = ANY(${wamids}::text[]) AND l.a IS NOT NULL AND l.b IS NOT NULL
          ORDER BY l.a, l.b
          ON CONFLICT DO NOTHING
        )`;
}

export function createWebhookRepository(db: Database, targets: () => RelayTargets = () => EVERY_FORMAT) {
  const known = new KnownLinks();
  return {
    /**
     * Applies a batch of status events (from one or many POSTs) in one statement, run on the
     * driver like the send path's writes (Database.execute, prepared by name): it is
     * group-committed and runs for every status Meta sends. `posts` are the POSTs these
     * statuses came in, when they held nothing else: they are queued for the relay in the
     * same statement (one commit per batch instead of two).
     */
    async applyStatuses(rows: StatusRow[], posts: RelayedPost[] = []): Promise<void> {
      if (rows.length === 0 && posts.length === 0) return;
      // The recordset's columns, one literal per row (no spread: this runs for every status).
      const input = JSON.stringify(
        rows.map((r, ord) => ({
          wamid: r.wamid, status: r.status, ts: r.ts, phone_number_id: r.phone_number_id, recipient_id: r.recipient_id,
          wa_id: r.wa_id, user_id: r.user_id, parent_user_id: r.parent_user_id, username: r.username,
          contact_name: r.contact_name, errors: r.errors, pricing: r.pricing, conversation: r.conversation, biz: r.biz,
          raw: r.raw, ord,
        }) satisfies Record<Exclude<keyof StatusRow, "identities">, unknown> & { ord: number }),
      );
      // The person's identifiers are linked in this same statement (the `identity` CTE); a
      // status that names a BSUID but no phone (a username user's) links it to the phone its
      // message's row holds (`row_links`: a send to a phone whose statuses name the BSUID).
      // A status naming only the phone is not checked: Meta names the BSUID beside the phone
      // whenever the user has one, and checking every phone-only status cost ingestion 15%.
      const newLinks = identityLinks(rows.map((r) => r.identities), known);
      const partial = [...new Set(rows.filter((r) => !r.wa_id && (r.user_id || r.parent_user_id)).map((r) => r.wamid))];
      // The rows are returned (a CTE) only for what needs them: the relay's events, row links.
      const events = targets().ticks;
      const returned = events || partial.length > 0;
      const q = Prisma.sql`
        WITH ${linksCte(newLinks)} ${relayedPostsCte(posts)} input AS (
          SELECT * FROM jsonb_to_recordset(${input}::jsonb) AS x(wamid text, status text, ts timestamptz,
            phone_number_id text, recipient_id text, wa_id text, user_id text, parent_user_id text, username text,
            contact_name text, errors jsonb, pricing jsonb, conversation jsonb, biz text, raw jsonb, ord int)
        ), events AS (
          INSERT INTO status_events (wamid, status, "timestamp", recipient_id, errors, pricing, conversation,
            biz_opaque_callback_data, raw)
          SELECT DISTINCT ON (wamid, status) wamid, status, ts, recipient_id, errors, pricing, conversation, biz, raw
          FROM input ORDER BY wamid, status, ord
          ON CONFLICT (wamid, status) DO NOTHING
        ), ranked AS (
          SELECT input.*, status::"MessageStatus" AS rank FROM input WHERE status = ANY(${RANKED_WEBHOOK_STATUSES})
        ), agg AS (
          SELECT wamid, min(phone_number_id) AS phone_number_id, min(recipient_id) AS recipient_id,
            min(wa_id) AS wa_id, min(user_id) AS user_id, min(parent_user_id) AS parent_user_id,
            (array_agg(username ORDER BY ord DESC) FILTER (WHERE username IS NOT NULL))[1] AS username,
            (array_agg(contact_name ORDER BY ord DESC) FILTER (WHERE contact_name IS NOT NULL))[1] AS contact_name,
            max(rank) AS status,
            min(ts) FILTER (WHERE status = 'sent') AS sent_at,
            min(ts) FILTER (WHERE status = 'delivered') AS delivered_at,
            min(ts) FILTER (WHERE status = 'read') AS read_at,
            min(ts) FILTER (WHERE status = 'played') AS played_at,
            min(ts) FILTER (WHERE status = 'failed') AS failed_at,
            (array_agg(errors ORDER BY ord) FILTER (WHERE errors IS NOT NULL))[1] AS errors,
            (array_agg(pricing ORDER BY rank DESC, ord) FILTER (WHERE pricing IS NOT NULL))[1] AS pricing,
            (array_agg(conversation ORDER BY rank DESC, ord) FILTER (WHERE conversation IS NOT NULL))[1] AS conversation,
            min(biz) AS biz
          FROM ranked GROUP BY wamid
        )${returned ? Prisma.sql`, changed AS (` : Prisma.empty}
        INSERT INTO messages AS m (wamid, direction, phone_number_id, wa_id, "to", user_id, parent_user_id, username,
          contact_name, status, sent_at, delivered_at, read_at, played_at, failed_at, errors, pricing, conversation,
          biz_opaque_callback_data)
        SELECT wamid, 'outbound', phone_number_id, wa_id, recipient_id, user_id, parent_user_id, username,
          contact_name, status, sent_at, delivered_at, read_at, played_at, failed_at, errors, pricing, conversation, biz
        FROM agg ORDER BY wamid -- one lock order for every writer: no deadlocks between batches
        ON CONFLICT (wamid) DO UPDATE SET
          previous_status = m.status,
          status = GREATEST(m.status, EXCLUDED.status),
          sent_at = LEAST(m.sent_at, EXCLUDED.sent_at),
          delivered_at = LEAST(m.delivered_at, EXCLUDED.delivered_at),
          read_at = LEAST(m.read_at, EXCLUDED.read_at),
          played_at = LEAST(m.played_at, EXCLUDED.played_at),
          failed_at = LEAST(m.failed_at, EXCLUDED.failed_at),
          errors = COALESCE(m.errors, EXCLUDED.errors),
          -- pricing and conversation of the highest-ranked event that carries them
          pricing = CASE WHEN EXCLUDED.pricing IS NULL THEN m.pricing
            WHEN m.pricing IS NULL OR EXCLUDED.status >= m.status THEN EXCLUDED.pricing ELSE m.pricing END,
          conversation = CASE WHEN EXCLUDED.conversation IS NULL THEN m.conversation
            WHEN m.conversation IS NULL OR EXCLUDED.status >= m.status THEN EXCLUDED.conversation ELSE m.conversation END,
          biz_opaque_callback_data = COALESCE(m.biz_opaque_callback_data, EXCLUDED.biz_opaque_callback_data),
          wa_id = COALESCE(m.wa_id, EXCLUDED.wa_id),
          user_id = COALESCE(m.user_id, EXCLUDED.user_id),
          parent_user_id = COALESCE(m.parent_user_id, EXCLUDED.parent_user_id),
          -- profile details: the latest that arrived
          username = COALESCE(EXCLUDED.username, m.username),
          contact_name = COALESCE(EXCLUDED.contact_name, m.contact_name),
          updated_at = now()
        WHERE m.direction = 'outbound'
        ${returned ? Prisma.sql`RETURNING *) ${partial.length ? rowLinks(partial) : Prisma.empty} ${events ? Prisma.sql`, ${statusChangedEvents("changed")}` : Prisma.empty} SELECT 1` : Prisma.empty}`;
      const name = `ticks_webhook_statuses${posts.length ? "_relayed" : ""}${partial.length ? "_rowlinks" : ""}${events ? "_events" : ""}`;
      await db.execute(q.text, q.values, linkedName(name, newLinks));
      known.remember(newLinks);
    },

    /**
     * Stores inbound messages once each (Meta's retries add nothing), links the sender's
     * identifiers and, in the same statement, adds the read receipt each new one is owed: the
     * receipt can never be lost between storing the message and sending it. System messages
     * (a user's number or BSUID changed) are Meta's notices, not the person's: no receipt.
     */
    async storeInbound(rows: InboundRow[], autoRead: boolean): Promise<void> {
      if (rows.length === 0) return;
      const input = JSON.stringify(rows.map((r) => ({ ...r, identities: undefined })));
      const newLinks = identityLinks(rows.map((r) => r.identities), known);
      await db.prisma.$executeRaw`
        WITH ${linksCte(newLinks)} input AS (
          SELECT * FROM jsonb_to_recordset(${input}::jsonb) AS x(wamid text, phone_number_id text,
            "from" text, wa_id text, user_id text, parent_user_id text, username text, contact_name text, type text,
            ts timestamptz, payload jsonb)
        ), stored AS (
          INSERT INTO messages (wamid, direction, phone_number_id, wa_id, "from", user_id, parent_user_id, username,
            contact_name, type, payload, status, sent_at)
          SELECT DISTINCT ON (wamid) wamid, 'inbound', phone_number_id, wa_id, "from", user_id, parent_user_id, username,
            contact_name, type, payload, 'received', ts
          FROM input ORDER BY wamid
          ON CONFLICT (wamid) DO NOTHING
          RETURNING *
        )${targets().ticks ? Prisma.sql`, ${receivedEvents("stored")}` : Prisma.empty}
        INSERT INTO read_receipts (message_id, wamid, phone_number_id, give_up_at)
        SELECT id, wamid, phone_number_id, now() + interval '24 hours' FROM stored WHERE ${autoRead} AND type <> 'system'
        ON CONFLICT (message_id) DO NOTHING`;
      known.remember(newLinks);
    },

    /** Keeps what Ticks did not understand, once per distinct item. */
    async storeUnprocessed(rows: UnprocessedRow[]): Promise<void> {
      if (rows.length === 0) return;
      await db.prisma.unprocessedWebhookItem.createMany({
        data: rows.map((r) => ({
          reason: r.reason,
          item: r.item === null || r.item === undefined ? Prisma.JsonNull : (r.item as Prisma.InputJsonValue),
          itemHash: createHash("sha256").update(r.reason).update("\0").update(JSON.stringify(r.item) ?? "null").digest("hex"),
        })),
        skipDuplicates: true, // Meta's retry of a POST keeps each item once
      });
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
