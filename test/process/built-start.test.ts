// `npm start` runs the build in dist/ with node alone (no TypeScript tool at run time): it
// starts, serves and stops like the sources do.
import { afterAll, describe, expect, it } from "vitest";
import { spawnTicks, type TicksProcess } from "../helpers/process.ts";

let ticks: TicksProcess | undefined;
afterAll(() => void ticks?.proc.kill("SIGKILL"));

describe("when Ticks is started from its build", () => {
  it("then plain node runs it: it becomes ready, answers, and stops cleanly on SIGTERM", async () => {
    ticks = spawnTicks({ PORT: "0", DATA_DIR: "memory://" }, { built: true });
    const listening = await ticks.line(/Ticks is listening/);
    const base = `http://127.0.0.1:${String(listening.port)}`;
    expect(await fetch(`${base}/readyz`).then((r) => r.json())).toEqual({ status: "ok", database: "embedded" });
    expect((await fetch(`${base}/openapi.json`)).status).toBe(200);
    ticks.proc.kill("SIGTERM");
    expect(await ticks.exited).toBe(0);
    expect(ticks.stderr.join("\n")).not.toMatch(/Error|tsx/);
  });
});
