// npm run bench:send — sends through Ticks (on real Postgres) to the emulator and, in the
// same run, straight to the emulator as the baseline, at RATE sends/s offered: wrk with
// CONNECTIONS connections sending on one fixed schedule (scripts/bench/send.lua), so the
// offered rate does not depend on the answers' latency.
// Prints sends/s and p50/p99 for both and the latency Ticks adds; medians of RUNS
// alternating runs. Target: 1,000 sends/s with p99 added latency under 10 ms.
// Also the CPU each side spends per send at that rate (Ticks, its Postgres backends, the
// emulator), read from /proc around each run: on a shared 2-core machine it drives the tail.
// Needs `wrk` (Debian: apt-get install wrk). COMPARE=<a checkout> measures it beside this one.
import { backendPids, cpuMs, createDatabase, dropDatabase, fmt, median, startEmulatorProcess, startTicksProcess } from "./bench/lib.ts";
import { requireWrk, wrk, type WrkResult } from "./bench/wrk.ts";

const RATE = Number(process.env.RATE ?? 1000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 64);
const DURATION = Number(process.env.DURATION ?? 10);
const RUNS = Number(process.env.RUNS ?? 3);
const API_KEY = "bench_api_key_0123456789abcdef";
const PATH = "/v24.0/106540352242922/messages";

requireWrk();
const load = (url: string, token: string, seconds = DURATION, rate = RATE, connections = CONNECTIONS) =>
  wrk(url, { script: "scripts/bench/send.lua", connections, seconds, env: { TOKEN: token, SEND_PATH: PATH, RATE: String(rate) } });

// COMPARE=<another checkout of Ticks, installed>: runs it too, alternating, for an A/B.
const COMPARE = process.env.COMPARE;
const emulator = await startEmulatorProcess(1_000_000);
const start = async (kind: string, cwd?: string) => {
  const dbName = `ticks_bench_send_${kind}_${process.pid}`;
  const proc = await startTicksProcess(
    {
      DATABASE_URL: await createDatabase(dbName),
      GRAPH_API_URL: emulator.url,
      WHATSAPP_ACCESS_TOKEN: emulator.token,
      WHATSAPP_APP_SECRET: "bench_secret",
      WHATSAPP_VERIFY_TOKEN: "bench",
      API_KEYS: API_KEY,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    },
    cwd,
  );
  return { kind, dbName, ...proc, runs: [] as WrkResult[], cpu: [] as { ticks: number; postgres: number; emulator: number }[] };
};
const sides = [await start("this"), ...(COMPARE ? [await start("compare", COMPARE)] : [])];
try {
  for (const t of sides) load(t.url, API_KEY, 3, 0, 32); // warm-up: JIT, connection pools
  const base: WrkResult[] = [];
  // Postgres backends come and go with the pool's connections: each is counted from its own
  // first sample (or from zero when it started during the run).
  const sample = async (t: (typeof sides)[number]) => ({
    ticks: cpuMs(t.proc.pid),
    postgres: new Map((await backendPids(t.dbName)).map((pid) => [pid, cpuMs(pid)])),
    emulator: cpuMs(emulator.proc.pid),
  });
  for (let i = 0; i < RUNS; i++) {
    base.push(load(emulator.url, emulator.token));
    let line = `run ${i + 1}: baseline ${fmt(base[i]!.rps)}/s p50 ${fmt(base[i]!.p50, 2)} ms p99 ${fmt(base[i]!.p99, 2)} ms`;
    for (const t of i % 2 ? [...sides].reverse() : sides) {
      const before = await sample(t);
      const g = load(t.url, API_KEY);
      const after = await sample(t);
      t.runs.push(g);
      const sends = g.rps * DURATION;
      let postgres = 0;
      for (const [pid, ms] of after.postgres) if (!Number.isNaN(ms)) postgres += ms - (before.postgres.get(pid) ?? 0);
      t.cpu.push({ ticks: (after.ticks - before.ticks) / sends, postgres: postgres / sends, emulator: (after.emulator - before.emulator) / sends });
      line += ` | ${t.kind} ${fmt(g.rps)}/s p50 ${fmt(g.p50, 2)} ms p99 ${fmt(g.p99, 2)} ms (errors ${g.errors})`;
    }
    console.log(line);
  }
  const m = (rs: WrkResult[], k: keyof WrkResult) => median(rs.map((r) => r[k]));
  console.log(`\n${RATE} sends/s offered (${CONNECTIONS} connections), ${DURATION} s per run, medians of ${RUNS} alternating runs${COMPARE ? `; "compare" is Ticks from ${COMPARE}` : ""}:`);
  console.log(`  emulator directly: ${fmt(m(base, "rps"))} sends/s, p50 ${fmt(m(base, "p50"), 2)} ms, p99 ${fmt(m(base, "p99"), 2)} ms`);
  for (const t of sides) {
    const c = (k: keyof (typeof t.cpu)[number]) => fmt(median(t.cpu.map((x) => x[k])), 2);
    console.log(`  through Ticks (${t.kind}): ${fmt(m(t.runs, "rps"))} sends/s, p50 ${fmt(m(t.runs, "p50"), 2)} ms, p99 ${fmt(m(t.runs, "p99"), 2)} ms`);
    console.log(`    added by Ticks:  p50 ${fmt(m(t.runs, "p50") - m(base, "p50"), 2)} ms, p99 ${fmt(m(t.runs, "p99") - m(base, "p99"), 2)} ms`);
    console.log(`    CPU per send:    Ticks ${c("ticks")} ms, its Postgres backends ${c("postgres")} ms, the emulator ${c("emulator")} ms`);
  }
  for (const t of sides) {
    const capacity = load(t.url, API_KEY, DURATION, 0, 32);
    console.log(`  Ticks (${t.kind}) unpaced (capacity, 32 connections): ${fmt(capacity.rps)} sends/s, p50 ${fmt(capacity.p50, 2)} ms, p99 ${fmt(capacity.p99, 2)} ms`);
  }
} finally {
  for (const t of sides) {
    await t.stop();
    await dropDatabase(t.dbName);
  }
  await emulator.stop();
}
