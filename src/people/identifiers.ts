// A person's identifiers on WhatsApp (docs/people.md): the phone number (kept as its
// digits, Meta's wa_id), the business-scoped user id (BSUID) and the parent BSUID. The
// three kinds never collide: a phone is digits only, a BSUID is "CC.<alphanumerics>" and
// a parent BSUID "CC.ENT.<alphanumerics>" (Meta's "Business-scoped user IDs" guide).

const BSUID = /^[A-Za-z]{2}\.[A-Za-z0-9]{1,128}$/;
const PARENT_BSUID = /^[A-Za-z]{2}\.ENT\.[A-Za-z0-9]{1,128}$/;
const PHONE = /^\+?[\d\s().-]{3,32}$/;
const DIGITS = /^\d+$/;

/** The digits of a phone number or wa_id ("+1 (650) 555-1234" → "16505551234"); null when none. */
export function phoneDigits(s: string | null | undefined): string | null {
  if (s && DIGITS.test(s)) return s; // as Meta sends them: no copy
  const digits = s?.replace(/\D/g, "") ?? "";
  return digits === "" ? null : digits;
}

/** The digits of what looks like a phone number (not a group id, not a BSUID); null otherwise. */
export function phoneKey(s: string | null | undefined): string | null {
  return s && PHONE.test(s) ? phoneDigits(s) : null;
}

export const isBsuid = (s: string) => BSUID.test(s);
export const isParentBsuid = (s: string) => PARENT_BSUID.test(s);

/**
 * A person as a caller names them: a phone number in any formatting (→ its digits), a BSUID
 * or a parent BSUID (as given). Undefined when it is none of these.
 */
export function personKey(s: string): string | undefined {
  if (isBsuid(s) || isParentBsuid(s)) return s;
  return phoneKey(s) ?? undefined;
}

export interface Link {
  a: string;
  b: string;
}

const linkKey = (a: string, b: string) => `${a}\n${b}`;

/**
 * The identity links a batch of rows asks for: each group holds the identifiers one message
 * showed for one person (nulls skipped). Links form a star around each group's first
 * identifier, stored both ways, so that the closure from any identifier reaches all of them.
 * Links `known` to be stored are left out before anything is built (this runs for every
 * status). Deduplicated and sorted, so that concurrent writers take the key locks in one order.
 */
export function identityLinks(groups: Iterable<(string | null | undefined)[]>, known?: KnownLinks): Link[] {
  const seen = new Set<string>();
  for (const group of groups) {
    let first: string | undefined;
    for (const id of group) {
      if (!id || id === first) continue;
      if (first === undefined) {
        first = id;
        continue;
      }
      if (!known?.has(first, id)) seen.add(linkKey(first, id));
      if (!known?.has(id, first)) seen.add(linkKey(id, first));
    }
  }
  return [...seen].sort().map((k) => {
    const [a, b] = k.split("\n") as [string, string];
    return { a, b };
  });
}

/**
 * The links this process has already written (and seen committed), so that a statement
 * carries only new ones: a person's phone and BSUID come with every status of every message
 * to them, and re-inserting a known link costs an index probe per status. Links are never
 * deleted, so a remembered link is in the database; bounded, oldest forgotten first.
 */
export class KnownLinks {
  private readonly known = new Set<string>();
  constructor(private readonly max = 100_000) {}

  /** The link from `a` to `b` is known to be stored. */
  has(a: string, b: string): boolean {
    return this.known.has(linkKey(a, b));
  }

  /** Call once the statement that wrote them has committed. */
  remember(links: Link[]): void {
    for (const l of links) {
      this.known.add(linkKey(l.a, l.b));
      if (this.known.size > this.max) this.known.delete(this.known.values().next().value!);
    }
  }
}
