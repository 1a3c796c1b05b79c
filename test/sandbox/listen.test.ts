// `npm run sandbox:listen` against a running sandbox: it subscribes itself, verifies each
// event's signature and prints one line per event, so a first run shows a message's ticks
// arriving at "your backend"; Ctrl-C unsubscribes it.
import { spawn } from "node:child_process";
import readline from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { start } from "../../src/server.ts";
import { until } from "../helpers/wait.ts";

let ticks: Awaited<ReturnType<typeof start>>;
beforeAll(async () => void (ticks = await start(loadConfig({ PORT: "0", DATA_DIR: "memory://", LOG_LEVEL: "silent" }))));
afterAll(() => ticks.stop());

describe("when a developer runs npm run sandbox:listen and sends a message", () => {
  it("then it prints accepted, sent, delivered and read for it, and unsubscribes on Ctrl-C", async () => {
    const key = ticks.apiKeys[0]!;
    const listener = spawn(process.execPath, ["--import", "tsx", "scripts/sandbox-listen.ts"], {
      env: { ...process.env, PORT: String(ticks.port), API_KEYS: key },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    readline.createInterface({ input: listener.stdout! }).on("line", (l) => lines.push(l));
    const exited = new Promise<number | null>((r) => listener.once("exit", r));
    try {
      await until(() => lines, (l) => l.some((x) => x.startsWith("Listening at")), 15_000);
      const headers = { Authorization: `Bearer ${key}`, "Content-Type": "application/json" };
      const res = await fetch(`http://127.0.0.1:${ticks.port}/106540352242922/messages`, {
        method: "POST",
        headers,
        body: JSON.stringify({ messaging_product: "whatsapp", to: "16505551234", type: "text", text: { body: "Hello" } }),
      });
      expect(res.status).toBe(200);
      const transitions = () => lines.filter((l) => l.includes("→")).map((l) => l.replace(/^\S+\s+/, "").split(/\s+to\s+/)[0]!.replace(/\s+/g, " ").trim());
      await until(transitions, (t) => t.length >= 4, 15_000);
      expect(transitions()).toEqual(["pending → accepted", "accepted → sent", "sent → delivered", "delivered → read"]);
      expect(lines.find((l) => l.includes("→ read"))).toContain("to 16505551234");
    } finally {
      listener.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    const subs = await fetch(`http://127.0.0.1:${ticks.port}/api/subscriptions`, { headers: { Authorization: `Bearer ${key}` } }).then((r) => r.json());
    expect(subs).toEqual({ data: [] });
  });
});
