// Shapes stored rows into the API's answers and turns cursors into keysets.
import { AppError } from "../errors.ts";
import { personKey, phoneDigits } from "../people/identifiers.ts";
import { compareEvents } from "../messages/status.ts";
import type { Keyset, Message, QueryRepository, StatusEvent } from "./repository.ts";
import type { ListQuery } from "./schemas.ts";

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toMessage(m: Message) {
  return {
    id: m.id,
    wamid: m.wamid,
    direction: m.direction,
    phoneNumberId: m.phoneNumberId,
    to: m.to,
    from: m.from,
    waId: m.waId,
    userId: m.userId,
    parentUserId: m.parentUserId,
    username: m.username,
    contactName: m.contactName,
    type: m.type,
    payload: m.payload ?? null,
    status: m.status,
    failureReason: m.failureReason,
    createdAt: m.createdAt.toISOString(),
    acceptedAt: iso(m.acceptedAt),
    sentAt: iso(m.sentAt),
    deliveredAt: iso(m.deliveredAt),
    readAt: iso(m.readAt),
    playedAt: iso(m.playedAt),
    failedAt: iso(m.failedAt),
    markedReadAt: iso(m.markedReadAt),
    errors: m.errors ?? null,
    pricing: m.pricing ?? null,
    conversation: m.conversation ?? null,
    bizOpaqueCallbackData: m.bizOpaqueCallbackData,
  };
}

function toEvent(e: StatusEvent) {
  return {
    status: e.status,
    timestamp: e.timestamp.toISOString(),
    receivedAt: e.receivedAt.toISOString(),
    ...(e.errors == null ? {} : { errors: e.errors }),
    ...(e.pricing == null ? {} : { pricing: e.pricing }),
    ...(e.conversation == null ? {} : { conversation: e.conversation }),
    ...(e.raw == null ? {} : { raw: e.raw }),
  };
}

/**
 * Cursors are opaque to callers: base64url of the last row's keyset, and of the way pages go
 * when it is towards newer rows (an oldest-first conversation), so that a cursor is never
 * read the other way round.
 */
export type PagingWay = "older" | "newer";

export function encodeCursor(k: Keyset, way: PagingWay = "older"): string {
  return Buffer.from(JSON.stringify([k.createdAt.toISOString(), k.id, ...(way === "newer" ? ["newer"] : [])])).toString("base64url");
}

export function decodeCursor(cursor: string | undefined, way: PagingWay = "older"): Keyset | undefined {
  if (cursor === undefined) return undefined;
  const invalid = (message: string) => new AppError("bad_request", "Invalid parameters.", [{ path: ["cursor"], message }]);
  let parsed: [string, string, string?];
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string, string?];
  } catch {
    throw invalid("not a cursor this API returned");
  }
  const [t, id, newer] = Array.isArray(parsed) ? parsed : [];
  const createdAt = new Date(t ?? "");
  if (Number.isNaN(createdAt.getTime()) || typeof id !== "string" || !/^[0-9a-f-]{36}$/i.test(id)) throw invalid("not a cursor this API returned");
  if ((newer === "newer" ? "newer" : "older") !== way) throw invalid(`a cursor of pages in the other order: ask with the order it came from`);
  return { createdAt, id };
}

function page(rows: Message[], limit: number, way: PagingWay = "older") {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return {
    data: data.map(toMessage),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }, way) : null,
  };
}

/** A person named by a caller: schemas.ts has already checked the form. */
const keyOf = (s: string) => personKey(s) ?? s;
const digitsOf = (s: string) => phoneDigits(s) ?? "";

export function createQueryService(repo: QueryRepository) {
  return {
    async getMessage(idOrWamid: string) {
      const found = await repo.findMessage(idOrWamid);
      if (!found) throw new AppError("not_found", `No message with id or wamid ${idOrWamid}.`);
      return { ...toMessage(found.message), events: found.events.sort(compareEvents).map(toEvent) };
    },

    async list(q: ListQuery) {
      if ([q.to, q.from, q.user].filter(Boolean).length > 1) {
        throw new AppError("bad_request", "Invalid parameters.", [{ path: [q.to ? "to" : "from"], message: "to, from and user cannot be combined: a message has one other party" }]);
      }
      const party = q.to ? { direction: "outbound" as const, waId: digitsOf(q.to) } : q.from ? { direction: "inbound" as const, waId: digitsOf(q.from) } : {};
      if (q.direction && party.direction && q.direction !== party.direction) return { data: [], nextCursor: null };
      const rows = await repo.list({
        direction: q.direction,
        status: q.status,
        phoneNumberId: q.phoneNumberId,
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
        after: decodeCursor(q.cursor),
        limit: q.limit,
        ...(q.user ? { person: keyOf(q.user) } : {}),
        ...party,
      });
      return page(rows, q.limit);
    },

    async conversation(id: string, q: { phoneNumberId?: string; order: "asc" | "desc"; limit: number; cursor?: string }) {
      const way = q.order === "desc" ? "older" : "newer";
      const rows = await repo.conversation(keyOf(id), { phoneNumberId: q.phoneNumberId, after: decodeCursor(q.cursor, way), limit: q.limit, newestFirst: way === "older" });
      return page(rows, q.limit, way);
    },

    /** Recent conversations; `q` names a person (phone, BSUID) or the start of a name. */
    async conversations(q: { q?: string | undefined; phoneNumberId?: string | undefined; limit: number }) {
      const key = q.q === undefined ? undefined : personKey(q.q);
      const name = q.q?.replace(/^@/, ""); // "@maria" is the username maria
      if (key !== undefined) {
        const [last] = await repo.conversation(key, { phoneNumberId: q.phoneNumberId, limit: 1, newestFirst: true });
        if (!last) return { data: [] };
        return { data: [{ person: key, waId: last.waId, userId: last.userId, username: last.username, contactName: last.contactName, lastMessage: toMessage(last) }] };
      }
      const rows = await repo.recentConversations({ name: name || undefined, phoneNumberId: q.phoneNumberId, limit: q.limit });
      return {
        data: rows.map(({ person, latestName, ...m }) => ({ person, waId: m.waId, userId: m.userId, username: m.username, contactName: latestName, lastMessage: toMessage(m) })),
      };
    },

    async stats(q: { since?: string; until?: string; phoneNumberId?: string }) {
      const until = q.until ? new Date(q.until) : new Date();
      const since = q.since ? new Date(q.since) : new Date(until.getTime() - 86_400_000);
      if (since >= until) throw new AppError("bad_request", "Invalid parameters.", [{ path: ["since"], message: "since must be before until" }]);
      const { counts, failures } = await repo.stats(since, until, q.phoneNumberId);
      const byStatus: Record<string, number> = {};
      const funnel = { sent: 0, delivered: 0, read: 0, failed: 0 };
      let outbound = 0;
      let inbound = 0;
      for (const c of counts) {
        const n = Number(c.n);
        byStatus[c.status] = (byStatus[c.status] ?? 0) + n;
        if (c.direction === "inbound") {
          inbound += n;
          continue;
        }
        outbound += n;
        funnel.sent += Number(c.sent);
        funnel.delivered += Number(c.delivered);
        funnel.read += Number(c.read);
        if (c.status === "failed") funnel.failed += n;
      }
      const rate = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);
      return {
        since: since.toISOString(),
        until: until.toISOString(),
        phoneNumberId: q.phoneNumberId ?? null,
        outbound,
        inbound,
        byStatus,
        funnel: { ...funnel, deliveredRate: rate(funnel.delivered, funnel.sent), readRate: rate(funnel.read, funnel.delivered) },
        failuresByCode: failures.map((f) => ({ code: f.code, count: Number(f.n) })),
      };
    },
  };
}

export type QueryService = ReturnType<typeof createQueryService>;
