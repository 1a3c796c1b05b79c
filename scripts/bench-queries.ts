// npm run bench:queries — p50/p99 of each query endpoint over HTTP against Ticks on a real
// Postgres holding SEED (default 1,000,000) messages (scripts/seed.ts; a copy of the same
// seeded template bench-webhooks uses), and the EXPLAIN of each query's SQL.
// Targets: lookup p99 < 5 ms, filtered pages p99 < 20 ms, a day's stats < 200 ms.
import { PrismaPg } from "@prisma/adapter-pg";
import type { Database } from "../src/db/index.ts";
import { PrismaClient } from "../src/generated/prisma/client.ts";
import { createQueryRepository, type QueryRepository } from "../src/queries/repository.ts";
import { seedTemplate, createDatabase, dropDatabase, ensureTemplate, fmt, startTicksProcess } from "./bench/lib.ts";

const SEED = Number(process.env.SEED ?? 1_000_000);
const N = Number(process.env.REQUESTS ?? 300);
const TEMPLATE = seedTemplate(SEED);
const API_KEY = "bench_api_key_0123456789abcdef";

await ensureTemplate(SEED);

const name = `ticks_bench_queries_${process.pid}`;
const url = await createDatabase(name, TEMPLATE);
const ticks = await startTicksProcess({ DATABASE_URL: url, WHATSAPP_ACCESS_TOKEN: "x", WHATSAPP_APP_SECRET: "x", WHATSAPP_VERIFY_TOKEN: "x", API_KEYS: API_KEY, LOG_LEVEL: "warn" });

const rand = (n: number) => Math.floor(Math.random() * n);
const g = () => 1 + rand(SEED);
const person = () => Number((BigInt(g()) * 2654435761n) % 50000n);
const wa = () => `1650${String(person()).padStart(7, "0")}`;
const bsuid = () => `US.${String(person() * 7919 + 1).padStart(20, "0")}`; // as scripts/seed.ts makes them
const phone = () => `10000000000000${rand(5)}`;
const day = () => {
  const end = Date.now() - rand(29) * 86_400_000;
  return { since: new Date(end - 86_400_000).toISOString(), until: new Date(end).toISOString() };
};

async function get(path: string): Promise<{ ms: number; body: unknown }> {
  const t0 = performance.now();
  const res = await fetch(`${ticks.url}${path}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
  const body = await res.json();
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return { ms, body };
}

const scenarios: [string, () => Promise<string>][] = [
  ["GET /healthz (baseline: the HTTP path, no database)", async () => `/healthz`],
  ["GET /api/messages/{wamid}", async () => `/api/messages/wamid.seed${g()}`],
  ["GET /api/messages (newest page)", async () => `/api/messages?limit=50`],
  ["GET /api/messages?status=failed", async () => `/api/messages?status=failed&limit=50`],
  ["GET /api/messages?to=", async () => `/api/messages?to=${wa()}`],
  ["GET /api/messages?from=", async () => `/api/messages?from=${wa()}`],
  ["GET /api/messages?phoneNumberId&direction=inbound", async () => `/api/messages?phoneNumberId=${phone()}&direction=inbound&limit=50`],
  ["GET /api/messages?since&until&status=read (a day)", async () => {
    const d = day();
    return `/api/messages?since=${d.since}&until=${d.until}&status=read&limit=50`;
  }],
  ["GET /api/messages?phoneNumberId&status=delivered, page 2", async () => {
    const first = (await get(`/api/messages?phoneNumberId=${phone()}&status=delivered&limit=50`)).body as { nextCursor: string };
    return `/api/messages?phoneNumberId=${phone()}&status=delivered&limit=50&cursor=${first.nextCursor}`;
  }],
  ["GET /api/conversations/{phone}", async () => `/api/conversations/${wa()}`],
  ["GET /api/conversations/{BSUID}", async () => `/api/conversations/${bsuid()}`],
  ["GET /api/messages?user={BSUID}", async () => `/api/messages?user=${bsuid()}`],
  ["GET /api/messages?user={BSUID}&direction=inbound", async () => `/api/messages?user=${bsuid()}&direction=inbound`],
  ["GET /api/stats (a day)", async () => {
    const d = day();
    return `/api/stats?since=${d.since}&until=${d.until}`;
  }],
  ["GET /api/stats (a day, one phone number)", async () => {
    const d = day();
    return `/api/stats?since=${d.since}&until=${d.until}&phoneNumberId=${phone()}`;
  }],
];

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
try {
  for (let i = 0; i < 50; i++) await get(await scenarios[i % scenarios.length]![1]()); // warm-up
  console.log(`${SEED.toLocaleString("en")} messages; ${N} sequential requests per endpoint over HTTP (keep-alive):`);
  for (const [label, path] of scenarios) {
    const times: number[] = [];
    for (let i = 0; i < N; i++) times.push((await get(await path())).ms);
    console.log(`  ${label.padEnd(60)} p50 ${fmt(pct(times, 50), 2).padStart(7)} ms  p99 ${fmt(pct(times, 99), 2).padStart(7)} ms`);
  }

  // EXPLAIN of the very SQL the endpoints run: the repository runs on a client that reports
  // each statement Prisma sends (its query events), and each is explained with its parameters.
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }), log: [{ emit: "event", level: "query" }] });
  const sent: { query: string; params: string }[] = [];
  prisma.$on("query", (e) => void sent.push({ query: e.query, params: e.params }));
  const repo = createQueryRepository({ prisma } as unknown as Database); // the repository uses only the client
  const d = day();
  const reads: [string, (r: QueryRepository) => Promise<unknown>][] = [
    ["lookup by wamid, with its events", (r) => r.findMessage("wamid.seed12345")],
    ["newest page", (r) => r.list({ limit: 50 })],
    ["status=failed", (r) => r.list({ status: "failed", limit: 50 })],
    ["to= (wa_id)", (r) => r.list({ direction: "outbound", waId: wa(), limit: 50 })],
    ["phoneNumberId + inbound", (r) => r.list({ phoneNumberId: phone(), direction: "inbound", limit: 50 })],
    ["a day + status=read", (r) => r.list({ since: new Date(d.since), until: new Date(d.until), status: "read", limit: 50 })],
    ["page 2 (keyset)", (r) => r.list({ status: "delivered", after: { createdAt: new Date(d.until), id: "ffffffff-ffff-4fff-bfff-ffffffffffff" }, limit: 50 })],
    ["conversation (by phone)", (r) => r.conversation(wa(), { limit: 100 })],
    ["conversation (by BSUID)", (r) => r.conversation(bsuid(), { limit: 100 })],
    ["user= (a person, newest first)", (r) => r.list({ person: bsuid(), limit: 50 })],
    ["stats", (r) => r.stats(new Date(d.since), new Date(d.until))],
  ];
  console.log("\nEXPLAIN ANALYZE (plan nodes only):");
  for (const [label, read] of reads) {
    sent.length = 0;
    await read(repo);
    const made = sent.splice(0); // the EXPLAINs below are reported too: not theirs
    for (const [i, { query, params }] of made.entries()) {
      const rows = await prisma.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) ${query}`, ...(JSON.parse(params) as unknown[]));
      const lines = rows.map((r) => r["QUERY PLAN"]).filter((l) => /Scan|Execution Time|Sort|Aggregate|Limit/.test(l));
      console.log(`  ${label}${made.length > 1 ? ` (${i + 1}/${made.length})` : ""}:\n    ${lines.map((l) => l.trim()).join("\n    ")}`);
    }
  }
  await prisma.$disconnect();
} finally {
  await ticks.stop();
  await dropDatabase(name);
}
