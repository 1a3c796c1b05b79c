// The only place a Prisma client is made: on a real Postgres (DATABASE_URL, through
// @prisma/adapter-pg) or on the embedded one (PGlite under DATA_DIR). Both get the same
// generated client and the same migrations, applied here at start.
import { access, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import lockfile from "proper-lockfile";
import { PrismaClient } from "../generated/prisma/client.ts";
import { migrate, type SqlSession } from "./migrate.ts";
import { copyTemplate } from "./embedded-template.ts";

export interface Database {
  prisma: PrismaClient;
  /** The migrations this open applied (empty when the database was up to date). */
  appliedMigrations: string[];
  /** A new embedded database was made from the install-time template (see embedded-template.ts). */
  fromTemplate?: boolean;
  /** "postgres" or "embedded" */
  kind: "postgres" | "embedded";
  /**
   * One parameterized statement straight on the driver (pg's pool, or PGlite), returning the
   * rows it changed. Only for the group-committed writes that run for every message (the send
   * path's and the webhooks' status batches, the relay's outcomes) and, with `query`, the
   * relay's claims. Prisma's raw-query layer costs 0.17 ms of CPU per statement on top of pg
   * (measured); without it Ticks used 0.59 ms of CPU a send instead of 0.74 at 1,000 sends/s.
   * Everything else goes through Prisma.
   * With a `name` (one per SQL text), Postgres keeps the statement prepared on each pooled
   * connection and skips parsing it again: a quarter of its CPU on the send path (measured).
   * It still plans each execution for its own parameters (plan_cache_mode=force_custom_plan
   * on these connections), so a plan made when the table was small is never reused.
   * (Behind PgBouncer, named statements need 1.21+ with max_prepared_statements set.)
   */
  execute(text: string, values: unknown[], name?: string): Promise<number>;
  /**
   * As execute, returning the rows as the driver gives them: cast int8 to text (pg gives it as
   * text, PGlite as a number). Only for the relay's claims, which run for every delivery.
   */
  query<T>(text: string, values: unknown[], name?: string): Promise<T[]>;
  /** A session on the raw driver, for multi-statement SQL (migrations, tests). */
  withSession<T>(fn: (s: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** Deadline of every statement on a real Postgres (default: the server's or the URL's own). */
  statementTimeoutMs?: number | undefined;
  /** The template a new embedded database starts from (default: the installation's; none: initdb). */
  templatePath?: string | undefined;
  onPoolError?: (err: Error) => void;
}

export class DataDirLockedError extends Error {}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const db = opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : await openEmbedded(opts.dataDir, opts.templatePath);
  if (opts.migrate !== false) {
    try {
      db.appliedMigrations = await db.withSession((s) => migrate(s));
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  return db;
}

/**
 * The settings of every pooled connection, applied by the connection's own connect() so that
 * they are in place before it serves any query. Custom plans for the named statements (see
 * Database.execute): a generic plan made while `messages` is small reads it sequentially, and
 * would stay cached as it grows (Postgres before 12 has no such setting and keeps its
 * default). A statement deadline, so that one stuck statement cannot stall the send path's
 * single writer. SET rather than startup options, which PgBouncer refuses.
 */
function connectionSetup(statementTimeoutMs: number | undefined): string {
  const timeout = statementTimeoutMs === undefined ? "" : `SET statement_timeout = ${Math.trunc(statementTimeoutMs)};`;
  return `${timeout} SELECT set_config('plan_cache_mode', 'force_custom_plan', false) WHERE current_setting('server_version_num')::int >= 120000`;
}

function clientWithSetup(setup: string): typeof pg.Client {
  return class extends pg.Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: (err: Error) => void): void;
    // pg.Pool calls connect(callback); the promise form is kept for direct use.
    override connect(callback?: (err: Error) => void): Promise<pg.Client> | void {
      const ready = super.connect().then(async () => {
        try {
          await this.query(setup);
        } catch (err) {
          await this.end().catch(() => undefined); // the pool never got it: close it here
          throw err;
        }
        return this;
      });
      if (!callback) return ready;
      ready.then(() => (callback as (err?: Error) => void)(), (err: Error) => callback(err));
    }
  };
}

function openPostgres(url: string, opts: OpenOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5_000,
    Client: clientWithSetup(connectionSetup(opts.statementTimeoutMs)),
  });
  // An idle client whose server went away emits here; without a listener the process dies.
  pool.on("error", (err) => opts.onPoolError?.(err));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    appliedMigrations: [],
    kind: "postgres",
    execute: async (text, values, name) => (await pool.query({ text, values, ...(name && { name }) })).rowCount ?? 0,
    query: async <T>(text: string, values: unknown[], name?: string) => (await pool.query({ text, values, ...(name && { name }) })).rows as T[],
    async withSession(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          exec: async (sql) => void (await client.query(sql)),
          query: async (sql, params) => (await client.query(sql, params)).rows,
        });
      } finally {
        client.release();
      }
    },
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

async function openEmbedded(dataDir: string, templatePath?: string): Promise<Database> {
  if (dataDir.startsWith("memory://")) return wrapPGlite(new PGlite(dataDir), async () => undefined);
  const dir = path.resolve(dataDir);
  await mkdir(dir, { recursive: true }); // PGlite does not create parents
  // PGlite does not lock its folder and two processes on one folder corrupt it.
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, { lockfilePath: path.join(dir, "ticks.lock"), realpath: false });
  } catch (err) {
    if ((err as { code?: string }).code === "ELOCKED") {
      throw new DataDirLockedError(
        `DATA_DIR ${dir} is in use by another Ticks process. Stop it, or give this one another DATA_DIR (or a DATABASE_URL).`,
      );
    }
    throw err;
  }
  const pgdata = path.join(dir, "pgdata");
  const isNew = await access(pgdata).then(() => false, () => true);
  if (isNew && (await copyTemplate(pgdata, templatePath).catch(() => false))) {
    const client = new PGlite(pgdata);
    try {
      await client.waitReady;
      return { ...wrapPGlite(client, release), fromTemplate: true };
    } catch {
      await client.close().catch(() => undefined);
      await rm(pgdata, { recursive: true, force: true }); // a template this PGlite cannot open: initdb instead
    }
  }
  return wrapPGlite(new PGlite(pgdata), release);
}

function wrapPGlite(client: PGlite, release: () => Promise<void>): Database {
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
  return {
    prisma,
    appliedMigrations: [],
    kind: "embedded",
    execute: async (text, values) => (await client.query(text, values)).affectedRows ?? 0,
    query: async <T>(text: string, values: unknown[]) => (await client.query<T>(text, values)).rows,
    withSession: (fn) =>
      fn({
        exec: async (sql) => void (await client.exec(sql)),
        query: async <T>(sql: string, params?: unknown[]) => (await client.query<T>(sql, params)).rows,
      }),
    async close() {
      await prisma.$disconnect();
      await client.close();
      await release();
    },
  };
}
