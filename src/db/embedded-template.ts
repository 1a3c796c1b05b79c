// A fresh embedded database starts from a template instead of running initdb: PGlite's
// initdb takes 2.7 s of a first start on a 2-core machine, restoring a dumped data folder
// 0.7 s (docs/benchmarks.md, "Start"). `npm install` makes the template (every migration
// applied) under node_modules/.cache, keyed by PGlite's version; migrations added since
// are applied at start as usual. Without a template, Ticks runs initdb.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
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
  return path.join(ROOT, "node_modules", ".cache", "ticks", `embedded-pglite-${version}.tar`);
}

/** Makes the template: an in-memory database with every migration applied, dumped. */
export async function makeTemplate(file = defaultTemplatePath()): Promise<string[]> {
  const pg = new PGlite();
  try {
    const applied = await migrate({ exec: async (sql) => void (await pg.exec(sql)), query: async (sql, params) => (await pg.query(sql, params)).rows as never });
    const dump = await pg.dumpDataDir("none"); // uncompressed: restores 0.3 s faster than gzip (40 MB)
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file); // never a half-written template
    return applied;
  } finally {
    await pg.close();
  }
}

/** The template, or undefined when there is none. */
export async function readTemplate(file = defaultTemplatePath()): Promise<Blob | undefined> {
  const bytes = await readFile(file).catch(() => undefined);
  return bytes ? new Blob([bytes]) : undefined;
}
