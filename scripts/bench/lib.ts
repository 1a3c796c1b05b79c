// Shared pieces of the benchmarks: their own Postgres databases, Ticks and the emulator
// as child processes (so the load generator never shares their event loop), medians.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { once } from "node:events";
import net from "node:net";
import readline from "node:readline";
import pg from "pg";

/** The seeded database the benchmarks copy; the version changes whenever scripts/seed.ts does. */
export const seedTemplate = (messages: number) => `ticks_bench_seed_v2_${messages}`;

export const BASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export function dbUrl(name: string): string {
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: BASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createDatabase(name: string, template?: string): Promise<string> {
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`);
  });
  return dbUrl(name);
}

/** Seeds the template of `messages` messages unless it exists (once; kept for later runs). */
export async function ensureTemplate(messages: number): Promise<void> {
  const template = seedTemplate(messages);
  const exists = await admin(async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [template])).rowCount === 1);
  if (exists) return;
  console.log(`Seeding ${messages.toLocaleString("en")} messages into ${template} (once; kept for later runs)…`);
  const { seed } = await import("../seed.ts");
  await createDatabase(`${template}_tmp`);
  await seed(dbUrl(`${template}_tmp`), messages);
  await admin((c) => c.query(`ALTER DATABASE "${template}_tmp" RENAME TO "${template}"`));
}

export const dropDatabase = (name: string) => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));

export interface Child {
  proc: ChildProcess;
  /** The first JSON log line matching `until`. */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs a TypeScript entry point under tsx and waits for a JSON line with `msg === until`. */
export async function spawnTs(entry: string, env: Record<string, string>, until: string): Promise<Child> {
  const proc = spawn(process.execPath, ["--import", "tsx", entry], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: proc.stdout! });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    proc.once("exit", (code) => reject(new Error(`${entry} exited with ${code}`)));
    lines.on("line", (line) => {
      try {
        const j = JSON.parse(line) as Record<string, unknown>;
        if (j.msg === until) resolve(j);
      } catch {
        /* not JSON */
      }
    });
  });
  return { proc, ready, stop: () => stopChild(proc) };
}

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  proc.kill("SIGTERM");
  await once(proc, "exit");
}

export async function startEmulatorProcess(ratePerSecond: number) {
  const token = `bench-${randomBytes(8).toString("hex")}`;
  const child = await spawnTs("scripts/bench/emulator-process.ts", { EMULATOR_TOKEN: token, EMULATOR_RATE: String(ratePerSecond) }, "emulator listening");
  return { ...child, url: String(child.ready.url), token };
}

/** Ticks as its own process (any LOG_LEVEL: readiness is read from /readyz, not the log). */
/** Starts Ticks from this checkout, or from another one (`cwd`) for an A/B in the same run. */
export async function startTicksProcess(env: Record<string, string>, cwd?: string) {
  const port = await freePort();
  // TICKS_NODE_ARGS reach Ticks' node only (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
  const nodeArgs = process.env.TICKS_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const proc = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/server.ts"], {
    ...(cwd ? { cwd } : {}),
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`Ticks exited with ${proc.exitCode}`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 600) throw new Error("Ticks did not become ready in 60 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, url, stop: () => stopChild(proc) };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); NaN elsewhere. */
export function cpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // the name may hold spaces
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** The server processes (backends) serving a database right now. */
export const backendPids = (dbName: string) =>
  admin(async (c) => (await c.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [dbName])).rows.map((r) => r.pid));
