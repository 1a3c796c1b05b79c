// A fresh embedded database starts from a template instead of running initdb: a copy of a
// data folder made at install (every migration applied), opened like an existing one. On a
// 2-core machine initdb took 2.7 s of a first start, restoring a dumped folder 1.8 s, copying
// one and opening it 0.9 s (docs/benchmarks.md, "Start"). `npm install` makes the template
// under node_modules/.cache, keyed by PGlite's version; migrations added since are applied
// at start as usual. Without a template, Ticks runs initdb.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cp, mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { migrate } from "./migrate.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Where this installation keeps its template, for the installed PGlite. */
export function defaultTemplatePath(): string {
  // PGlite's exports hide its package.json from require(): read it where its entry point is.
  let dir = path.dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  while (!existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  const { version } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string };
  return path.join(ROOT, "node_modules", ".cache", "ticks", `embedded-pglite-${version}`);
}

/** Makes the template: a data folder with every migration applied, closed cleanly. */
export async function makeTemplate(dir = defaultTemplatePath()): Promise<string[]> {
  const partial = `${dir}.${process.pid}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  let applied: string[];
  try {
    const pg = new PGlite(partial);
    try {
      applied = await migrate({ exec: async (sql) => void (await pg.exec(sql)), query: async (sql, params) => (await pg.query(sql, params)).rows as never });
    } finally {
      await pg.close();
    }
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
  // Never a half-made template: the old one is moved aside, not deleted in place, so that a
  // start copying it meanwhile copies a whole folder.
  const old = `${dir}.${process.pid}.old`;
  await rename(dir, old).catch(() => undefined);
  await rename(partial, dir);
  await rm(old, { recursive: true, force: true });
  return applied;
}

/**
 * Copies the template into `pgdata` (a new folder); false when there is none. The copy is
 * made beside it and renamed, so that a start killed half-way leaves no half-copied folder
 * to be taken for a database.
 */
export async function copyTemplate(pgdata: string, dir = defaultTemplatePath()): Promise<boolean> {
  if (!existsSync(path.join(dir, "PG_VERSION"))) return false;
  const partial = `${pgdata}.partial`;
  await rm(partial, { recursive: true, force: true });
  try {
    await cp(dir, partial, { recursive: true });
    await rename(partial, pgdata);
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
  return true;
}
