// The process (src/server.ts) on an embedded database in a folder: the sandbox's API key is
// made once, kept with mode 0600 and reused after a restart; sends left pending by a crash
// are failed at start and by the sweep on its interval.
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { openDatabase, type Database } from "../../src/db/index.ts";
import { createSendRepository } from "../../src/messages/repository.ts";
import { start } from "../../src/server.ts";
import { until } from "../helpers/wait.ts";

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), "ticks-start-"))));
afterAll(() => rm(dir, { recursive: true, force: true }));

const config = () => loadConfig({ PORT: "0", DATA_DIR: dir, LOG_LEVEL: "silent" });
const expiredPending = async (db: Database) => {
  const id = randomUUID();
  await createSendRepository(db).write([{ pending: { id, createdAt: new Date(), phoneNumberId: "106540352242922", to: "16505551234", recipient: null, type: "text", payload: {}, graphVersion: "v24.0", deadlineAt: new Date(Date.now() - 1_000) } }]);
  return id;
};
const statusOf = async (db: Database, id: string) => (await db.prisma.message.findUnique({ where: { id } }))?.status;

describe("when the sandbox starts on a folder", () => {
  it("then its API key is made once with mode 0600 and the same key serves after a restart", async () => {
    const first = await start(config());
    const file = path.join(dir, "sandbox-api-key");
    try {
      expect((await readFile(file, "utf8")).trim()).toBe(first.apiKeys[0]);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    } finally {
      await first.stop();
    }
    const second = await start(config());
    try {
      expect(second.apiKeys).toEqual(first.apiKeys);
      const res = await fetch(`http://127.0.0.1:${second.port}/api/stats`, { headers: { Authorization: `Bearer ${first.apiKeys[0]}` } });
      expect(res.status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it("then a send left pending by a crash is failed at start, and another by the sweep on its interval", async () => {
    const before = await openDatabase({ dataDir: dir });
    const leftByCrash = await expiredPending(before);
    await before.close();
    const ticks = await start(config(), { sweepEveryMs: 50 });
    try {
      expect(await statusOf(ticks.db, leftByCrash)).toBe("failed"); // before Ticks listened
      const later = await expiredPending(ticks.db);
      await until(async () => (await statusOf(ticks.db, later)) === "failed");
      expect(await ticks.db.prisma.message.findUnique({ where: { id: later } })).toMatchObject({ failureReason: "unconfirmed" });
    } finally {
      await ticks.stop();
    }
  });
});
