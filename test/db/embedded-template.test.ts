// A new embedded database starts from the install-time template (every migration already
// applied) instead of running initdb; without a template, or with one it cannot read, it
// runs initdb and applies the migrations itself.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/index.ts";
import { makeTemplate } from "../../src/db/embedded-template.ts";
import { readMigrations } from "../../src/db/migrate.ts";

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), "ticks-template-"))));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("when a new embedded database is opened", () => {
  it("then, with a template, it starts migrated from it, and serves", async () => {
    const template = path.join(dir, "template");
    expect(await makeTemplate(template)).toEqual((await readMigrations()).map((m) => m.name));
    const db = await openDatabase({ dataDir: path.join(dir, "a"), templatePath: template });
    try {
      expect(db.fromTemplate).toBe(true);
      expect(db.appliedMigrations).toEqual([]);
      expect(await db.prisma.message.count()).toBe(0);
    } finally {
      await db.close();
    }
  });

  it.each([
    ["no template", async () => path.join(dir, "none")],
    [
      "a template it cannot open",
      async () => {
        const broken = path.join(dir, "broken");
        await mkdir(path.join(broken, "base"), { recursive: true });
        await writeFile(path.join(broken, "PG_VERSION"), "not a version\n");
        return broken;
      },
    ],
  ])("then, with %s, it runs initdb and applies every migration", async (_name, templatePath) => {
    const db = await openDatabase({ dataDir: path.join(dir, `b-${Math.random()}`), templatePath: await templatePath() });
    try {
      expect(db.fromTemplate).toBeFalsy();
      expect(db.appliedMigrations).toEqual((await readMigrations()).map((m) => m.name));
    } finally {
      await db.close();
    }
  });
});
