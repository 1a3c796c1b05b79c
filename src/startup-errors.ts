// What a start that cannot go on says: one line naming the problem and the fix, for the
// failures an operator meets (port taken, database unreachable, missing, refusing the role,
// a migration failing). Anything else is a bug and keeps its stack trace.
import { DataDirLockedError } from "./db/index.ts";
import { causeChain, codeOf } from "./errors.ts";

export interface StartupContext {
  port: number;
  databaseUrl?: string | undefined;
}

/** The database as a log may show it: no password. */
export function describeDatabase(url: string | undefined, dataDir: string): string {
  if (!url) return `the embedded database in ${dataDir}`;
  const u = parseUrl(url);
  return u ? `postgresql://${u.username ? `${safeDecode(u.username)}@` : ""}${u.host}${u.pathname}` : "the database in DATABASE_URL";
}

function codes(err: unknown): { code?: string | undefined; message: string }[] {
  return [...causeChain(err)].map((e) => ({ code: codeOf(e), message: String((e as { message?: unknown }).message ?? "") }));
}

function parseUrl(s: string | undefined): URL | undefined {
  try {
    return s ? new URL(s) : undefined;
  } catch {
    return undefined;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** One line for a known startup failure; undefined for anything else. */
export function explainStartupFailure(err: unknown, ctx: StartupContext): string | undefined {
  if (err instanceof DataDirLockedError) return err.message;
  const chain = codes(err);
  const has = (code: string) => chain.some((c) => c.code === code);
  const where = ctx.databaseUrl ? describeDatabase(ctx.databaseUrl, "") : "the database";
  const url = parseUrl(ctx.databaseUrl);
  const dbName = url ? safeDecode(url.pathname.slice(1)) : "";
  const user = url ? safeDecode(url.username) : "";

  if (has("EADDRINUSE")) return `Port ${ctx.port} is already in use by another process. Stop that process, or set PORT to a free port.`;
  if (has("EACCES") && chain.some((c) => /listen/.test(c.message))) return `Port ${ctx.port} needs privileges this process does not have. Set PORT to 1024 or above.`;
  const migration = chain.find((c) => /^Migration \S+ failed/.test(c.message));
  if (migration) {
    const line = migration.message.split("\n")[0]!;
    return /failed earlier/.test(line) ? line : `${line.replace(/\.?$/, ".")} Fix the database (or the migration) and start again; the migrations after it were not applied.`;
  }
  if (has("3D000")) return `Database "${dbName}" does not exist on ${where.replace(/\/[^/]*$/, "")}. Create it (createdb ${dbName}), or fix DATABASE_URL.`;
  if (has("28P01") || has("28000")) return `${where} refused the login of role "${user}" (wrong password or no such role). Fix the user and password in DATABASE_URL.`;
  if (has("ECONNREFUSED")) return `Cannot reach ${where}: connection refused. Start Postgres there, or fix the host and port in DATABASE_URL.`;
  if (has("ENOTFOUND") || has("EAI_AGAIN")) return `Cannot reach ${where}: its host name does not resolve. Fix the host in DATABASE_URL.`;
  if (chain.some((c) => /timeout exceeded when trying to connect|ETIMEDOUT/.test(c.message) || c.code === "ETIMEDOUT")) {
    return `Cannot reach ${where}: no answer within 5 s. Check that Postgres runs there and that the network lets Ticks in.`;
  }
  return undefined;
}
