// The SQL of identity links (the IdentityLink model), shared by the statements that store
// messages (they record links) and by the queries that find a person's messages.
import { Prisma } from "../generated/prisma/client.ts";
import type { Link } from "./identifiers.ts";

/**
 * The CTE (`identity AS (…),`, ending with its comma) that records identity links in the
 * statement that stores the messages showing them, so linking costs no round trip of its
 * own; nothing when there are none to record, so the common statement does not plan or run
 * an insert into a second table. A statement with it is another prepared statement: its
 * name takes `linkedName`'s suffix.
 */
export function linksCte(rows: Link[]): Prisma.Sql {
  if (rows.length === 0) return Prisma.empty;
  return Prisma.sql`identity AS (
      INSERT INTO identity_links (a, b)
      SELECT a, b FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS l(a text, b text) ORDER BY a, b
      ON CONFLICT DO NOTHING
    ),`;
}

/** The prepared statement's name for a text with or without the links CTE. */
export const linkedName = (name: string, rows: Link[]) => (rows.length ? `${name}_links` : name);

/**
 * A recursive CTE (`person`) of every identifier linked, directly or not, to `key`, `key`
 * included. UNION (not UNION ALL) ends the walk on cycles; each step is a primary-key scan.
 * `key` is a value, or SQL naming one (a column of an outer query).
 */
export function person(key: string | Prisma.Sql): Prisma.Sql {
  return Prisma.sql`RECURSIVE person(id) AS (
      SELECT ${key}::text
      UNION
      SELECT l.b FROM identity_links l JOIN person p ON l.a = p.id
    )`;
}

/** Messages whose other party is one of `person`'s identifiers (each column has its index). */
export const ofPerson = Prisma.sql`(wa_id = ANY(ARRAY(SELECT id FROM person))
      OR user_id = ANY(ARRAY(SELECT id FROM person))
      OR parent_user_id = ANY(ARRAY(SELECT id FROM person)))`;
