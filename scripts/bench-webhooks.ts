// npm run bench:webhooks — status webhooks against real Postgres holding SEED (default
// 1,000,000) messages. wrk (-t1 -c32, 3 s warm-up, 15 s measured) posts pre-signed status
// webhooks for random stored wamids to Ticks and, as the baseline, to a bare node:http +
// pg server (one transaction per POST, prepared statements). The database is a fresh copy
// of a seeded template for every run. Prints statuses/s and p50/p99, and the ratios
// (medians of RUNS alternating runs). Needs `wrk` (Debian: apt-get install wrk).
// IDS=both: each status also carries the recipient's BSUID (recipient_user_id) and a
// `contacts` entry, as Meta sends them since 2026, so Ticks links the two identifiers.
// COMPARE=<another checkout of Ticks, installed>: runs it too, alternating, for an A/B.
// RELAY=1: the relay's benchmark instead (scripts/bench/relay.ts).
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { envelope } from "../src/sandbox/webhooks.ts";
import { sign } from "../src/webhooks/signature.ts";
import { seedTemplate, createDatabase, dropDatabase, ensureTemplate, fmt, median, spawnTs, startTicksProcess } from "./bench/lib.ts";
import { requireWrk, wrk, type WrkResult } from "./bench/wrk.ts";

const SEED = Number(process.env.SEED ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
const DURATION = Number(process.env.SECONDS ?? 15);
const SECRET = "bench_secret";
const TEMPLATE = seedTemplate(SEED);
const WITH_BSUID = process.env.IDS === "both";
const COMPARE = process.env.COMPARE;

requireWrk();
if (process.env.RELAY) {
  await ensureTemplate(SEED);
  await import("./bench/relay.ts");
  process.exit(0);
}

/** Pre-signed bodies of `per` statuses each, for random stored outbound wamids. */
function bodies(per: number, count: number): string {
  const lines: string[] = [];
  const kinds = ["sent", "delivered", "read"];
  for (let i = 0; i < count; i++) {
    const statuses = Array.from({ length: per }, () => {
      let g = 1 + Math.floor(Math.random() * SEED);
      if (g % 10 === 0) g += 1; // every 10th seeded message is inbound
      g = Math.min(g, SEED);
      const person = (g * 2654435761) % 50000; // the seed's person of message g
      return {
        id: `wamid.seed${g}`,
        status: kinds[Math.floor(Math.random() * 3)],
        timestamp: String(1_790_000_000 + Math.floor(Math.random() * 100_000)),
        recipient_id: `1650${String(person).padStart(7, "0")}`,
        ...(WITH_BSUID ? { recipient_user_id: `US.${String(person * 7919 + 1).padStart(20, "0")}` } : {}),
        pricing: { billable: true, pricing_model: "PMP", type: "regular", category: "utility" },
      };
    });
    const contacts = WITH_BSUID ? statuses.map((s) => ({ profile: { name: "Bench" }, wa_id: s.recipient_id, user_id: s.recipient_user_id })) : undefined;
    const body = JSON.stringify(envelope("100000000000000", { ...(contacts ? { contacts } : {}), statuses }));
    lines.push(`${sign(body, SECRET)}\t${body}`);
  }
  const file = path.join(os.tmpdir(), `ticks-bench-bodies-${per}.txt`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

type Result = WrkResult;
const load = (url: string, file: string, seconds: number) =>
  wrk(url, { script: "scripts/bench/webhooks.lua", connections: 32, seconds, env: { BODIES: file } });

type Kind = "baseline" | "ticks" | "compare";
async function run(kind: Kind, file: string): Promise<Result> {
  const name = `ticks_bench_run_${process.pid}`;
  const url = await createDatabase(name, TEMPLATE);
  const env = { DATABASE_URL: url, WHATSAPP_ACCESS_TOKEN: "x", WHATSAPP_APP_SECRET: SECRET, WHATSAPP_VERIFY_TOKEN: "x", API_KEYS: "bench_api_key_0123456789abcdef", AUTO_READ: "false", LOG_LEVEL: "warn" };
  const server =
    kind !== "baseline"
      ? await startTicksProcess(env, kind === "compare" ? COMPARE : undefined)
      : await spawnTs("scripts/bench/baseline-webhook-server.ts", { DATABASE_URL: url, APP_SECRET: SECRET }, "baseline listening").then((c) => ({ ...c, url: `http://127.0.0.1:${c.ready.port}` }));
  try {
    load(server.url, file, 3);
    return load(server.url, file, DURATION);
  } finally {
    await server.stop();
    await dropDatabase(name);
  }
}

await ensureTemplate(SEED);
const single = bodies(1, 20_000);
const fifty = bodies(50, 1_000);
const results: Record<string, Result[]> = { baseline: [], ticks: [], compare: [], baseline50: [], ticks50: [], compare50: [] };
const plan: [string, Kind, string, number][] = [["baseline", "baseline", single, 1], ["ticks", "ticks", single, 1], ["baseline50", "baseline", fifty, 50], ["ticks50", "ticks", fifty, 50]];
if (COMPARE) {
  plan.splice(2, 0, ["compare", "compare", single, 1]);
  plan.push(["compare50", "compare", fifty, 50]);
}
console.log(`statuses carry ${WITH_BSUID ? "the phone and the BSUID" : "the phone only"}${COMPARE ? `; "compare" is Ticks from ${COMPARE}` : ""}`);
for (let i = 0; i < RUNS; i++) {
  for (const [key, kind, file, per] of plan) {
    const r = await run(kind, file);
    results[key]!.push({ ...r, rps: r.rps * per });
    console.log(`run ${i + 1} ${key.padEnd(10)} ${fmt(r.rps * per)} statuses/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  errors ${r.errors}`);
  }
}
const m = (k: string, f: keyof Result) => median(results[k]!.map((r) => r[f]));
console.log(`\n${SEED.toLocaleString("en")} stored messages; wrk -t1 -c32 -d${DURATION}s; medians of ${RUNS} alternating runs:`);
for (const k of Object.keys(results).filter((k) => results[k]!.length > 0)) {
  console.log(`  ${k.padEnd(10)} ${fmt(m(k, "rps")).padStart(9)} statuses/s  p50 ${fmt(m(k, "p50"), 2)} ms  p99 ${fmt(m(k, "p99"), 2)} ms`);
}
console.log(`  ratio Ticks / baseline, one status per POST: ${fmt(m("ticks", "rps") / m("baseline", "rps"), 2)}`);
console.log(`  ratio Ticks / baseline, 50 statuses per POST: ${fmt(m("ticks50", "rps") / m("baseline50", "rps"), 2)}`);
console.log(`  Ticks, 50 per POST vs 1 per POST: ${fmt(m("ticks50", "rps") / m("ticks", "rps"), 2)}x`);
if (COMPARE) {
  console.log(`  ratio this Ticks / compared Ticks, one status per POST: ${fmt(m("ticks", "rps") / m("compare", "rps"), 3)}`);
  console.log(`  ratio this Ticks / compared Ticks, 50 statuses per POST: ${fmt(m("ticks50", "rps") / m("compare50", "rps"), 3)}`);
}
