// npm run bench:send — sends through Ticks (on real Postgres) to the emulator and, in the
// same run, straight to the emulator as the baseline, at RATE sends/s offered: wrk with
// CONNECTIONS connections sending on one fixed schedule (scripts/bench/send.lua), so the
// offered rate does not depend on the answers' latency.
// Prints sends/s and p50/p99 for both and the latency Ticks adds; medians of RUNS
// alternating runs. Target: 1,000 sends/s with p99 added latency under 10 ms.
// Also the CPU each side spends per send at that rate (Ticks, its Postgres backends, the
// emulator), read from /proc around each run: on a shared 2-core machine it drives the tail.
// Needs `wrk` (Debian: apt-get install wrk).
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

const dbName = `ticks_bench_send_${process.pid}`;
const emulator = await startEmulatorProcess(1_000_000);
const ticks = await startTicksProcess({
  DATABASE_URL: await createDatabase(dbName),
  GRAPH_API_URL: emulator.url,
  WHATSAPP_ACCESS_TOKEN: emulator.token,
  WHATSAPP_APP_SECRET: "bench_secret",
  WHATSAPP_VERIFY_TOKEN: "bench",
  API_KEYS: API_KEY,
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
});
try {
  load(ticks.url, API_KEY, 3, 0, 32); // warm-up: JIT, connection pools
  const base: WrkResult[] = [];
  const gw: WrkResult[] = [];
  const cpu: { ticks: number; postgres: number; emulator: number }[] = [];
  // Postgres backends come and go with the pool's connections: each is counted from its own
  // first sample (or from zero when it started during the run).
  const sample = async () => ({
    ticks: cpuMs(ticks.proc.pid),
    postgres: new Map((await backendPids(dbName)).map((pid) => [pid, cpuMs(pid)])),
    emulator: cpuMs(emulator.proc.pid),
  });
  for (let i = 0; i < RUNS; i++) {
    base.push(load(emulator.url, emulator.token));
    const before = await sample();
    gw.push(load(ticks.url, API_KEY));
    const after = await sample();
    const [b, g] = [base[i]!, gw[i]!];
    const sends = g.rps * DURATION;
    let postgres = 0;
    for (const [pid, ms] of after.postgres) if (!Number.isNaN(ms)) postgres += ms - (before.postgres.get(pid) ?? 0);
    cpu.push({ ticks: (after.ticks - before.ticks) / sends, postgres: postgres / sends, emulator: (after.emulator - before.emulator) / sends });
    console.log(`run ${i + 1}: baseline ${fmt(b.rps)}/s p50 ${fmt(b.p50, 2)} ms p99 ${fmt(b.p99, 2)} ms | Ticks ${fmt(g.rps)}/s p50 ${fmt(g.p50, 2)} ms p99 ${fmt(g.p99, 2)} ms (errors ${g.errors})`);
  }
  const capacity = load(ticks.url, API_KEY, DURATION, 0, 32);
  const m = (rs: WrkResult[], k: keyof WrkResult) => median(rs.map((r) => r[k]));
  console.log(`\n${RATE} sends/s offered (${CONNECTIONS} connections), ${DURATION} s per run, medians of ${RUNS} alternating runs:`);
  console.log(`  emulator directly: ${fmt(m(base, "rps"))} sends/s, p50 ${fmt(m(base, "p50"), 2)} ms, p99 ${fmt(m(base, "p99"), 2)} ms`);
  console.log(`  through Ticks:     ${fmt(m(gw, "rps"))} sends/s, p50 ${fmt(m(gw, "p50"), 2)} ms, p99 ${fmt(m(gw, "p99"), 2)} ms`);
  console.log(`  added by Ticks:    p50 ${fmt(m(gw, "p50") - m(base, "p50"), 2)} ms, p99 ${fmt(m(gw, "p99") - m(base, "p99"), 2)} ms`);
  const c = (k: keyof (typeof cpu)[number]) => fmt(median(cpu.map((x) => x[k])), 2);
  console.log(`  CPU per send:      Ticks ${c("ticks")} ms, its Postgres backends ${c("postgres")} ms, the emulator ${c("emulator")} ms`);
  console.log(`  Ticks unpaced (capacity, 32 connections): ${fmt(capacity.rps)} sends/s, p50 ${fmt(capacity.p50, 2)} ms, p99 ${fmt(capacity.p99, 2)} ms`);
} finally {
  await ticks.stop();
  await emulator.stop();
  await dropDatabase(dbName);
}
