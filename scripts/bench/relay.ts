// RELAY=1 npm run bench:webhooks — the relay's costs, against real Postgres holding SEED
// (default 1,000,000) messages, with a receiver ("your backend", its own process) on a local
// port answering 204:
//  1. Ingest: wrk -t1 -c32 posts one status per POST (each body once, so Meta's-retry dedupe
//     never hides a delivery) to Ticks without subscriptions and with one `meta` and one
//     `ticks` subscription (FORMATS=meta,ticks), alternating RUNS times on fresh copies of the seeded database;
//     prints statuses/s of each and the ratio of the medians.
//  2. Latency: RATE (default 3,000) statuses/s offered open-loop for SECONDS, each a new
//     message (one POST passed on, one event made); prints p50/p99 from Ticks' 200 to the
//     receiver's arrival, per format, and the pending backlog every 2 s.
//  3. Drain: the receiver refuses connections for DOWN seconds (default 300) while RATE
//     statuses/s keep arriving, then comes back and both subscriptions are retried at once
//     (POST /api/subscriptions/{id}/retry); prints how fast the backlog drains.
// Needs `wrk` (Debian: apt-get install wrk).
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { Pool } from "undici";
import { envelope } from "../../src/sandbox/webhooks.ts";
import { sign } from "../../src/webhooks/signature.ts";
import { backendPids, cpuMs, createDatabase, dbUrl, dropDatabase, fmt, median, seedTemplate, spawnTs, startTicksProcess } from "./lib.ts";
import { requireWrk, wrk } from "./wrk.ts";

const SEED = Number(process.env.SEED ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 15);
const RATE = Number(process.env.RATE ?? 3_000);
const DOWN = Number(process.env.DOWN ?? 300);
const SECRET = "bench_secret";
const KEY = "bench_api_key_0123456789abcdef";
const PHONE = "100000000000000";
const TEMPLATE = seedTemplate(SEED);
const FORMATS = (process.env.FORMATS ?? "meta,ticks").split(","); // the subscriptions made

requireWrk();

// ---------- the receiver, a process of its own ----------
const rxProc = await spawnTs("scripts/bench/receiver-process.ts", {}, "receiver listening");
process.once("exit", () => rxProc.proc.kill()); // also when the benchmark fails
const receiverUrl = String(rxProc.ready.url);
const control = (what: string) => fetch(`${String(rxProc.ready.control)}/${what}`, { method: "POST" }).then((r) => r.json());
const arrivals = async () => ((await control("count")) as { count: number }).count;

// ---------- bodies ----------
const statusBody = (id: string, status: string, recipient: string, ts: number) =>
  JSON.stringify(envelope(PHONE, { statuses: [{ id, status, timestamp: String(ts), recipient_id: recipient, pricing: { billable: true, pricing_model: "PMP", type: "regular", category: "utility" } }] }));

/** Pre-signed bodies for wrk, each used once (scripts/bench/webhooks.lua with SEQ=1). */
function storedStatusBodies(count: number): string {
  const kinds = ["sent", "delivered", "read"];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    let g = 1 + Math.floor(Math.random() * SEED);
    if (g % 10 === 0) g += 1; // every 10th seeded message is inbound
    g = Math.min(g, SEED);
    const person = (g * 2654435761) % 50000;
    const body = statusBody(`wamid.seed${g}`, kinds[i % 3]!, `1650${String(person).padStart(7, "0")}`, 1_790_000_000 + i);
    lines.push(`${sign(body, SECRET)}\t${body}`);
  }
  const file = path.join(os.tmpdir(), "ticks-bench-relay-bodies.txt");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

// ---------- Ticks on a fresh copy of the seeded database ----------
async function withTicks<T>(subscribe: boolean, fn: (ticks: { url: string; db: string; subs: string[]; pid: number | undefined }) => Promise<T>): Promise<T> {
  const name = `ticks_bench_relay_${process.pid}`;
  const url = await createDatabase(name, TEMPLATE);
  const ticks = await startTicksProcess({ DATABASE_URL: url, WHATSAPP_ACCESS_TOKEN: "x", WHATSAPP_APP_SECRET: SECRET, WHATSAPP_VERIFY_TOKEN: "x", API_KEYS: KEY, AUTO_READ: "false", LOG_LEVEL: "error" });
  const subs: string[] = [];
  try {
    if (subscribe) {
      for (const format of FORMATS) {
        const res = await fetch(`${ticks.url}/api/subscriptions`, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body: JSON.stringify({ url: receiverUrl, format }) });
        subs.push(((await res.json()) as { id: string }).id);
      }
    }
    return await fn({ url: ticks.url, db: name, subs, pid: ticks.proc.pid });
  } finally {
    await ticks.stop();
    await dropDatabase(name);
  }
}

async function pending(db: string): Promise<number> {
  const c = new pg.Client({ connectionString: dbUrl(db) });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM deliveries WHERE status = 'pending'")).rows[0]!.n);
  } finally {
    await c.end();
  }
}

/** Offers `rate` new-message statuses per second for `seconds`, open-loop; resolves with answer times. */
async function offer(base: string, rate: number, seconds: number, prefix: string) {
  const pool = new Pool(base, { connections: 64, pipelining: 1 });
  const answered = new Map<string, number>();
  let errors = 0;
  let sent = 0;
  const start = performance.now();
  const total = Math.floor(rate * seconds);
  const inflight: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      for (; sent < due; sent++) {
        const id = `wamid.${prefix}${sent}`;
        const body = statusBody(id, "sent", "16505550000", Math.floor(Date.now() / 1000));
        inflight.push(
          pool
            .request({ path: "/webhook", method: "POST", body, headers: { "content-type": "application/json", "x-hub-signature-256": sign(body, SECRET) } })
            .then(async (r) => {
              await r.body.dump();
              if (r.statusCode === 200) answered.set(id, performance.timeOrigin + performance.now());
              else errors += 1;
            }, () => void (errors += 1)),
        );
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  await Promise.all(inflight);
  await pool.close();
  return { answered, errors, offered: total, seconds: (performance.now() - start) / 1000 };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

// ---------- 1. ingest with and without subscriptions ----------
console.log(`${new Date().toISOString()}  ${SEED.toLocaleString("en")} stored messages; receiver at ${receiverUrl}`);
const file = storedStatusBodies(200_000);
const rates: Record<"plain" | "relay", number[]> = { plain: [], relay: [] };
for (let i = 0; i < RUNS; i++) {
  for (const kind of ["plain", "relay"] as const) {
    await withTicks(kind === "relay", async ({ url, db, pid }) => {
      const before = await arrivals();
      const pg0 = await backendPids(db);
      const cpu0 = { ticks: cpuMs(pid), pg: pg0.reduce((a, p) => a + cpuMs(p), 0), rx: cpuMs(rxProc.proc.pid) };
      const r = wrk(url, { script: "scripts/bench/webhooks.lua", connections: 32, seconds: SECONDS, env: { BODIES: file, SEQ: "1" } });
      const pg1 = await backendPids(db);
      const n = (r.rps * SECONDS) / 1000;
      const cpu = `CPU ms per 1,000 statuses: Ticks ${fmt((cpuMs(pid) - cpu0.ticks) / n)}, Postgres ${fmt((pg1.reduce((a, p) => a + cpuMs(p), 0) - cpu0.pg) / n)}, receiver ${fmt((cpuMs(rxProc.proc.pid) - cpu0.rx) / n)}`;
      rates[kind].push(r.rps);
      const backlog = kind === "relay" ? await pending(db) : 0;
      console.log(`run ${i + 1} ${kind.padEnd(5)} ${fmt(r.rps)} statuses/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  errors ${r.errors}${kind === "relay" ? `  delivered ${(await arrivals()) - before}, pending at the end ${backlog}` : ""}\n      ${cpu}`);
    });
  }
}
console.log(`ingest, one status per POST (medians of ${RUNS}): without subscriptions ${fmt(median(rates.plain))}/s, with a meta and a ticks one ${fmt(median(rates.relay))}/s, ratio ${fmt(median(rates.relay) / median(rates.plain), 3)}`);

// ---------- 2 and 3. latency at RATE, then the drain after DOWN seconds down ----------
await withTicks(true, async ({ url, db, subs, pid }) => {
  const latency: Record<"meta" | "ticks", number[]> = { meta: [], ticks: [] };
  const sampler = setInterval(() => void pending(db).then((n) => console.log(`  pending deliveries: ${n}`)), 2_000);
  await control("record");
  const run = await offer(url, RATE, SECONDS, "lat");
  const answered = run.answered;
  let got: [("meta" | "ticks"), string, number][] = [];
  const deadline = Date.now() + 60_000;
  while (got.length < FORMATS.length * answered.size && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    got = got.concat((await control("arrivals")) as typeof got);
  }
  await control("stop");
  clearInterval(sampler);
  for (const [format, wamid, at] of got) latency[format].push(at - answered.get(wamid)!);
  console.log(`latency at ${RATE}/s offered for ${SECONDS} s: ${answered.size} answered 200 (${run.errors} not) in ${fmt(run.seconds)} s`);
  for (const f of FORMATS as ("meta" | "ticks")[]) {
    console.log(`  ${f}: ${latency[f].length} arrived; Ticks' 200 → receiver p50 ${fmt(pct(latency[f], 50))} ms, p99 ${fmt(pct(latency[f], 99))} ms, max ${fmt(pct(latency[f], 100))} ms`);
  }
  console.log(`  pending when it ended: ${await pending(db)}`);

  if (DOWN <= 0) return;
  await control("down");
  console.log(`receiver down for ${DOWN} s at ${RATE}/s offered…`);
  const downRun = await offer(url, RATE, DOWN, "down");
  const backlog = await pending(db);
  console.log(`  ${downRun.answered.size} POSTs answered 200 while it was down (${downRun.errors} not); pending deliveries: ${backlog}`);
  await control("up");
  const before = await arrivals();
  const pgAtStart = new Map((await backendPids(db)).map((p) => [p, cpuMs(p)]));
  const cpu0 = { ticks: cpuMs(pid), rx: cpuMs(rxProc.proc.pid) };
  const t0 = performance.now();
  for (const id of subs) await fetch(`${url}/api/subscriptions/${id}/retry`, { method: "POST", headers: { authorization: `Bearer ${KEY}` } });
  const retried = { s: (performance.now() - t0) / 1000, n: (await arrivals()) - before };
  // Followed by the receiver's count: counting a table of millions of pending rows every
  // second took a core of its own and slowed the drain it measured. The database is asked
  // once the receiver has had as many as were pending (an attempt may arrive twice).
  let n: number;
  for (let left = backlog, tick = 0, last = 0, still = 0; left > 0; tick++) {
    await new Promise((r) => setTimeout(r, 1_000));
    n = (await arrivals()) - before;
    still = n === last ? still + 1 : 0;
    last = n;
    if (n >= backlog || still >= 5) left = await pending(db); // all arrived, or none for 5 s
    if (still >= 60) throw new Error(`the drain stopped: ${n} of ${backlog} arrived, ${left} pending`);
    if (tick % 10 === 9 || left === 0) console.log(`  ${fmt((performance.now() - t0) / 1000)} s: ${n} delivered, ${fmt(n / ((performance.now() - t0) / 1000))}/s`);
  }
  const s = (performance.now() - t0) / 1000;
  n = (await arrivals()) - before;
  const k = n / 1000;
  // Postgres: the backends connected at the end (a new one counts from zero)
  const pgCpu = (await backendPids(db)).reduce((a, p) => a + cpuMs(p) - (pgAtStart.get(p) ?? 0), 0);
  console.log(`drain: ${n} deliveries in ${fmt(s)} s = ${fmt(n / s)} deliveries/s (the retry calls took ${fmt(retried.s)} s; after them ${fmt((n - retried.n) / (s - retried.s))}/s)`);
  console.log(`  CPU ms per 1,000 deliveries: Ticks ${fmt((cpuMs(pid) - cpu0.ticks) / k)}, Postgres ${fmt(pgCpu / k)}, receiver ${fmt((cpuMs(rxProc.proc.pid) - cpu0.rx) / k)}`);
});
await rxProc.stop();
process.exit(0);
