// npm run seed -- [N] — fills DATABASE_URL (a real Postgres; migrated first) with N
// messages (default 1,000,000) and their status events, for the query and webhook
// benchmarks. Deterministic: message g has wamid `wamid.seed<g>`; every 10th is inbound;
// outbound ones are 60% read, 20% delivered, 10% sent, 5% failed, 5% accepted; createdAt
// spreads over the last 30 days, 5 phone numbers, 50,000 people. Every message carries its
// person's BSUID beside the phone (as Meta's webhooks do since 2026) and each person's phone
// and BSUID are linked (identity_links), so person queries walk real links.
import "dotenv/config";
import pg from "pg";
import { openDatabase } from "../src/db/index.ts";

const N = Number(process.argv[2] ?? 1_000_000);
const CHUNK = 50_000;

const SEED_CHUNK = `
WITH s AS (
  SELECT g, (g % 10 = 0) AS inbound, (g * 7919) % 100 AS r,
    now() - ((g * 104729) % 2592000000) * interval '1 millisecond' AS created,
    '10000000000000' || ((g / 10 + g * 31) % 5)::text AS phone,
    '1650' || lpad(((g * 2654435761) % 50000)::text, 7, '0') AS wa,
    'US.' || lpad((((g * 2654435761) % 50000) * 7919 + 1)::text, 20, '0') AS bsuid
  FROM generate_series($1::bigint, $2::bigint) g
), links AS (
  INSERT INTO identity_links (a, b)
  SELECT DISTINCT v.a, v.b FROM s CROSS JOIN LATERAL (VALUES (s.wa, s.bsuid), (s.bsuid, s.wa)) AS v(a, b)
  ON CONFLICT DO NOTHING
), m AS (
  INSERT INTO messages (wamid, direction, phone_number_id, wa_id, user_id, "to", "from", contact_name, type, payload, status,
    created_at, updated_at, accepted_at, sent_at, delivered_at, read_at, failed_at, errors, pricing, graph_version)
  SELECT 'wamid.seed' || g,
    CASE WHEN inbound THEN 'inbound' ELSE 'outbound' END::"Direction", phone, wa, bsuid,
    CASE WHEN inbound THEN NULL ELSE wa END, CASE WHEN inbound THEN wa END,
    CASE WHEN inbound THEN 'Person ' || wa END, 'text',
    jsonb_build_object('messaging_product', 'whatsapp', 'to', wa, 'type', 'text', 'text', jsonb_build_object('body', 'Message ' || g)),
    (CASE WHEN inbound THEN 'received' WHEN r < 60 THEN 'read' WHEN r < 80 THEN 'delivered' WHEN r < 90 THEN 'sent'
      WHEN r < 95 THEN 'failed' ELSE 'accepted' END)::"MessageStatus",
    created, created,
    CASE WHEN NOT inbound THEN created END,
    CASE WHEN inbound OR r < 95 THEN created + interval '1 second' END,
    CASE WHEN NOT inbound AND r < 80 THEN created + interval '3 seconds' END,
    CASE WHEN NOT inbound AND r < 60 THEN created + interval '60 seconds' END,
    CASE WHEN NOT inbound AND r >= 90 AND r < 95 THEN created + interval '2 seconds' END,
    CASE WHEN NOT inbound AND r >= 90 AND r < 95 THEN jsonb_build_array(jsonb_build_object('code', (ARRAY[131026, 131049, 130472])[1 + g % 3], 'title', 'failed')) END,
    CASE WHEN NOT inbound AND r < 90 THEN '{"billable":true,"pricing_model":"PMP","type":"regular","category":"utility"}'::jsonb END,
    'v24.0'
  FROM s
  RETURNING wamid, direction, accepted_at, sent_at, delivered_at, read_at, failed_at, errors
)
INSERT INTO status_events (wamid, status, "timestamp", received_at, errors)
SELECT m.wamid, v.status, v.ts, v.ts, CASE WHEN v.status = 'failed' THEN m.errors END
FROM m CROSS JOIN LATERAL (VALUES ('accepted', m.accepted_at), ('sent', m.sent_at), ('delivered', m.delivered_at),
  ('read', m.read_at), ('failed', m.failed_at)) AS v(status, ts)
WHERE m.direction = 'outbound' AND v.ts IS NOT NULL`;

export async function seed(url: string, n = N, log = console.log): Promise<void> {
  const db = await openDatabase({ databaseUrl: url, dataDir: "unused" });
  await db.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const started = Date.now();
  try {
    for (let from = 1; from <= n; from += CHUNK) {
      const to = Math.min(n, from + CHUNK - 1);
      await c.query(SEED_CHUNK, [from, to]);
      const rate = to / ((Date.now() - started) / 1000);
      log(`seeded ${to.toLocaleString("en")} / ${n.toLocaleString("en")} messages (${Math.round(rate).toLocaleString("en")}/s)`);
    }
    await c.query("VACUUM ANALYZE messages");
    await c.query("VACUUM ANALYZE status_events");
    await c.query("VACUUM ANALYZE identity_links");
  } finally {
    await c.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("Set DATABASE_URL to a real Postgres database (the embedded one is not for millions of rows).");
    process.exit(1);
  }
  await seed(url);
}
