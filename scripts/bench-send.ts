// npm run bench:send — sends through Ticks (on real Postgres) to the emulator, and in the
// same run straight to the emulator as the baseline, at a fixed rate (open loop, autocannon).
// Prints sends/s and p50/p99 for both and the latency Ticks adds; medians of RUNS
// alternating runs. Target (issue 2): 1,000 sends/s with p99 added latency under 10 ms.
import autocannon from "autocannon";
import { createDatabase, dropDatabase, fmt, median, startEmulatorProcess, startTicksProcess } from "./bench/lib.ts";

const RATE = Number(process.env.RATE ?? 1000);
const SECONDS = Number(process.env.SECONDS ?? 10);
const RUNS = Number(process.env.RUNS ?? 3);
const API_KEY = "bench_api_key_0123456789abcdef";
const PHONE = "106540352242922";

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, token: string): Promise<Result> {
  const body = JSON.stringify({ messaging_product: "whatsapp", to: "16505551234", type: "text", text: { body: "Your order has shipped" } });
  const r = await autocannon({
    url: `${url}/v24.0/${PHONE}/messages`,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body,
    connections: 64,
    overallRate: RATE,
    duration: SECONDS,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

const dbName = `ticks_bench_send_${process.pid}`;
const emulator = await startEmulatorProcess(1_000_000);
const ticks = await startTicksProcess({
  DATABASE_URL: await createDatabase(dbName),
  GRAPH_API_URL: emulator.url,
  WHATSAPP_ACCESS_TOKEN: emulator.token,
  WHATSAPP_APP_SECRET: "bench_secret",
  WHATSAPP_VERIFY_TOKEN: "bench",
  API_KEYS: API_KEY,
  LOG_LEVEL: "warn",
});
try {
  // Warm up both paths (JIT, connection pools).
  await autocannon({ url: `${ticks.url}/v24.0/${PHONE}/messages`, method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${API_KEY}` }, body: JSON.stringify({ messaging_product: "whatsapp", to: "16505551234", type: "text", text: { body: "warm" } }), connections: 16, duration: 3 });
  const base: Result[] = [];
  const gw: Result[] = [];
  for (let i = 0; i < RUNS; i++) {
    base.push(await load(emulator.url, emulator.token));
    gw.push(await load(ticks.url, API_KEY));
    console.log(`run ${i + 1}: baseline ${fmt(base[i]!.rps)}/s p50 ${base[i]!.p50} ms p99 ${base[i]!.p99} ms | Ticks ${fmt(gw[i]!.rps)}/s p50 ${gw[i]!.p50} ms p99 ${gw[i]!.p99} ms (errors ${gw[i]!.errors}, non-2xx ${gw[i]!.non2xx})`);
  }
  const m = (rs: Result[], k: keyof Result) => median(rs.map((r) => r[k]));
  console.log(`\nTarget rate ${RATE}/s, ${SECONDS} s per run, medians of ${RUNS} alternating runs:`);
  console.log(`  emulator directly: ${fmt(m(base, "rps"))} sends/s, p50 ${m(base, "p50")} ms, p99 ${m(base, "p99")} ms`);
  console.log(`  through Ticks:     ${fmt(m(gw, "rps"))} sends/s, p50 ${m(gw, "p50")} ms, p99 ${m(gw, "p99")} ms`);
  console.log(`  added by Ticks:    p50 ${fmt(m(gw, "p50") - m(base, "p50"))} ms, p99 ${fmt(m(gw, "p99") - m(base, "p99"))} ms; throughput ratio ${fmt(m(gw, "rps") / m(base, "rps"), 3)}`);
} finally {
  await ticks.stop();
  await emulator.stop();
  await dropDatabase(dbName);
}
