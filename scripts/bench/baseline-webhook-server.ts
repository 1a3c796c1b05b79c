// The baseline of bench-webhooks: a bare node:http server doing the same HMAC check and
// one transaction per POST through `pg` with prepared statements (no framework, no ORM,
// no batching). Same rules as Ticks for a known wamid: the event once, the rank-max status.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";

const secret = process.env.APP_SECRET ?? "bench_secret";
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL ?? 16) });

const INSERT_EVENT = {
  name: "insert_event",
  text: `INSERT INTO status_events (wamid, status, "timestamp", recipient_id, pricing, raw)
         VALUES ($1, $2, to_timestamp($3), $4, $5, $6) ON CONFLICT (wamid, status) DO NOTHING`,
};
const UPDATE_MESSAGE = {
  name: "update_message",
  text: `UPDATE messages SET status = GREATEST(status, $2::text::"MessageStatus"),
           sent_at = CASE WHEN $2 = 'sent' THEN LEAST(sent_at, to_timestamp($3)) ELSE sent_at END,
           delivered_at = CASE WHEN $2 = 'delivered' THEN LEAST(delivered_at, to_timestamp($3)) ELSE delivered_at END,
           read_at = CASE WHEN $2 = 'read' THEN LEAST(read_at, to_timestamp($3)) ELSE read_at END,
           updated_at = now()
         WHERE wamid = $1`,
};

interface Status { id: string; status: string; timestamp: string; recipient_id?: string; pricing?: unknown }

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    const body = Buffer.concat(chunks);
    const given = Buffer.from(String(req.headers["x-hub-signature-256"] ?? "").slice(7));
    const expected = Buffer.from(createHmac("sha256", secret).update(body).digest("hex"));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    const statuses: Status[] = JSON.parse(body.toString()).entry.flatMap((e: { changes: { value: { statuses?: Status[] } }[] }) =>
      e.changes.flatMap((c) => c.value.statuses ?? []),
    );
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      for (const s of statuses) {
        await client.query({ ...INSERT_EVENT, values: [s.id, s.status, Number(s.timestamp), s.recipient_id ?? null, s.pricing ?? null, s] });
        await client.query({ ...UPDATE_MESSAGE, values: [s.id, s.status, Number(s.timestamp)] });
      }
      await client.query("COMMIT");
      res.writeHead(200, { "content-type": "application/json" }).end('{"received":true}');
    } catch {
      await client.query("ROLLBACK").catch(() => undefined);
      res.writeHead(503).end();
    } finally {
      client.release();
    }
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ msg: "baseline listening", port: (server.address() as AddressInfo).port }));
});
process.once("SIGTERM", () => server.close(() => void pool.end().then(() => process.exit(0))));
