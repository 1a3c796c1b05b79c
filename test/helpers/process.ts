// Ticks as an operator starts it: `src/server.ts` in a process of its own, its output read.
import { spawn, type ChildProcess } from "node:child_process";
import readline from "node:readline";

export interface TicksProcess {
  proc: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves with the first stdout line (JSON) whose msg matches. */
  line(msg: RegExp): Promise<Record<string, unknown>>;
}

/** `built`: the compiled `dist/server.js` under plain node, as `npm start` runs it (npm install builds it). */
export function spawnTicks(env: Record<string, string>, { built = false } = {}): TicksProcess {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|WHATSAPP_|API_KEYS|PORT|DATA_DIR|NODE_ENV|LOG_)/.test(k)));
  const proc = spawn(process.execPath, built ? ["dist/server.js"] : ["--import", "tsx", "src/server.ts"], {
    env: { ...base, LOG_FORMAT: "json", ...env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { msg: RegExp; resolve: (l: Record<string, unknown>) => void }[] = [];
  readline.createInterface({ input: proc.stdout! }).on("line", (l) => {
    stdout.push(l);
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(l) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const w of [...waiters]) {
      if (!w.msg.test(String(parsed.msg))) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(parsed);
    }
  });
  readline.createInterface({ input: proc.stderr! }).on("line", (l) => stderr.push(l));
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  return {
    proc,
    stdout,
    stderr,
    exited,
    line: (msg) =>
      new Promise((resolve, reject) => {
        const seen = stdout.map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return undefined; } }).find((p) => p && msg.test(String(p.msg)));
        if (seen) return resolve(seen);
        waiters.push({ msg, resolve });
        void exited.then((code) => reject(new Error(`Ticks exited with ${code} before ${msg}: ${stderr.join("\n")}`)));
      }),
  };
}
