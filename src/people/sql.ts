// The SQL of identity links (the IdentityLink model), shared by the statements that store
// messages (they record links) and by the queries that find a person's messages.
import { Prisma } from "../generated/prisma/client.ts";
import type { Link } from "./identifiers.ts";

/**
 * A CTE (`identity`) that records identity links in the statement that stores the messages
 * showing them, so linking costs no round trip of its own. Usually it has no rows; its text
 * is the same either way, so the statement stays one prepared statement.
 */
export function links(rows: Link[]): Prisma.Sql {
  return Prisma.sql`identity AS (
      INSERT INTO identity_links (a, b)
      SELECT a, b FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS l(a text, b text) ORDER BY a, b
      ON CONFLICT DO NOTHING
    )`;
}

/**
 * A recursive CTE (`person`) of every identifier linked, directly or not, to `key`, `key`
 * included. UNION (not UNION ALL) ends the walk on cycles; each step is a primary-key scan.
 */
export function person(key: string): Prisma.Sql {
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
