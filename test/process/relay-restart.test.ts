// The relay as an operator runs it: RELAY_URL alone keeps one `meta` subscription, signed
// with the app secret; what was queued when Ticks was killed is delivered after a restart.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnTicks, type TicksProcess } from "../helpers/process.ts";
import { startReceiver, type Receiver } from "../helpers/receiver.ts";
import { createEmptyDatabase, REAL_POSTGRES } from "../helpers/test-db.ts";
import { until } from "../helpers/wait.ts";
import { envelope, statusItem } from "../../src/sandbox/webhooks.ts";
import { sign } from "../../src/webhooks/signature.ts";

const APP_SECRET = "relay-restart-app-secret";
const KEY = "relay_restart_api_key_0123456789";
let rx: Receiver;
let dir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>> | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  rx = await startReceiver();
  dir = await mkdtemp(path.join(os.tmpdir(), "ticks-relay-"));
  database = REAL_POSTGRES ? await createEmptyDatabase() : undefined;
  env = {
    PORT: "0",
    ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: dir }),
    WHATSAPP_ACCESS_TOKEN: "token",
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: "verify",
    GRAPH_API_URL: "http://127.0.0.1:9",
    API_KEYS: KEY,
    RELAY_URL: rx.url,
  };
});
afterAll(async () => {
  await rx.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function listening(ticks: TicksProcess): Promise<string> {
  const line = await ticks.line(/Ticks is listening/);
  return `http://127.0.0.1:${String(line.port)}`;
}
const api = (base: string, p: string) => fetch(`${base}${p}`, { headers: { authorization: `Bearer ${KEY}` } }).then((r) => r.json());

describe("given RELAY_URL and a backend that is down", { timeout: 90_000 }, () => {
  it("then a POST queued when Ticks was killed reaches the backend after a restart, as Meta sent it and signed with the app secret", async () => {
    await rx.down();
    const first = spawnTicks(env);
    const base = await listening(first);
    const { data: [sub] } = (await api(base, "/api/subscriptions")) as { data: { id: string; source: string; format: string; url: string }[] };
    expect(sub).toMatchObject({ source: "env", format: "meta", url: rx.url });

    const body = JSON.stringify(envelope("106540352242922", { statuses: [statusItem({ wamid: "wamid.relay-restart", to: "16505551234", userId: null }, "sent")] }));
    const res = await fetch(`${base}/webhook`, { method: "POST", body, headers: { "content-type": "application/json", "x-hub-signature-256": sign(body, APP_SECRET) } });
    expect(res.status).toBe(200);
    // Its first attempt was refused and recorded; then the process dies without a goodbye.
    await until(() => api(base, `/api/subscriptions/${sub!.id}/deliveries`), (p) => (p as { data: { attempts: number }[] }).data[0]?.attempts === 1);
    first.proc.kill("SIGKILL");
    await first.exited;

    await rx.up();
    // The killed process's DATA_DIR lock is taken over once it is stale (10 s): an embedded
    // restart right after a crash is refused until then, so try again as a supervisor would.
    let second = spawnTicks(env);
    let again = await listening(second).catch(() => undefined);
    for (let tries = 0; again === undefined && tries < 15; tries++) {
      await new Promise((r) => setTimeout(r, 1_000));
      second = spawnTicks(env);
      again = await listening(second).catch(() => undefined);
    }
    try {
      expect(again).toBeDefined();
      const { data } = (await api(again!, "/api/subscriptions")) as { data: { id: string }[] };
      expect(data.map((s) => s.id)).toEqual([sub!.id]); // the same subscription, kept once
      // The killed process's lease on the subscription ends within 20 s; then this one takes it.
      const [got] = await rx.waitFor(1, 45_000);
      expect(got!.body.toString()).toBe(body);
      expect(got!.headers["x-hub-signature-256"]).toBe(sign(body, APP_SECRET));
    } finally {
      second.proc.kill("SIGTERM");
      expect(await second.exited, second.stdout.slice(-5).join("\n") + second.stderr.join("\n")).toBe(0);
    }
  });
});
