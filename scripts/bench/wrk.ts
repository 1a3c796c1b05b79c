// Runs wrk (Debian's package: C, so it leaves the cores to the servers) and parses its report.
import { execFileSync } from "node:child_process";

export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export function requireWrk(): void {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") {
      console.error("wrk is not installed: apt-get install wrk");
      process.exit(1);
    }
  }
}

export function wrk(url: string, opts: { script: string; connections: number; seconds: number; env?: Record<string, string> }): WrkResult {
  const out = execFileSync("wrk", ["-t1", `-c${opts.connections}`, `-d${opts.seconds}s`, "--latency", "-s", opts.script, url], {
    env: { ...process.env, ...opts.env },
    encoding: "utf8",
  });
  const ms = (label: string) => {
    const m = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)`, "m").exec(out);
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
  };
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: ms("50"),
    p99: ms("99"),
    errors: Number(non2xx?.[1] ?? 0) + (sockErr ? sockErr.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}
