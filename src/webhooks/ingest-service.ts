// Applies one verified webhook POST: its statuses through the group commit, its inbound
// messages (with the read receipts they are owed) and what Ticks does not understand.
// Every write is idempotent, so Meta's retry of a POST that failed half-way is safe. Once
// all of it is stored, the POST is queued for the relay's `meta` subscriptions: only POSTs
// answered 200 are passed on, and a POST that failed is passed on when Meta's retry succeeds.
import { AppError } from "../errors.ts";
import { issuesList } from "../validation.ts";
import { EnvelopeSchema } from "./envelope-schema.ts";
import { GroupCommit, QueueFullError } from "../db/group-commit.ts";
import { parseEnvelope, type StatusRow } from "./parse.ts";
import type { WebhookRepository } from "./repository.ts";
import type { RelayedPost } from "../relay/sql.ts";
import type { LiveBus } from "../live/bus.ts";

export interface IngestDeps {
  repo: WebhookRepository;
  autoRead: boolean;
  /** Called after inbound messages were stored, so the read-receipt worker can run now. */
  onInbound?: () => void;
  /** Statuses waiting to be written before new POSTs get 503 (Meta retries them; default 10,000). */
  maxQueued?: number;
  /** Queues verified POSTs for the relay (group-committed). */
  relayPosts?: (posts: RelayedPost[]) => Promise<void>;
  /** Whether any `meta` subscription would take them (default: yes). */
  relayingPosts?: () => boolean;
  /** Called after a POST was stored (wakes the relay). */
  onStored?: () => void;
  /** Told which messages a stored POST changed (the console's live view). */
  live?: LiveBus;
}

export function createIngestService({ repo, autoRead, onInbound, maxQueued = 10_000, relayPosts, relayingPosts = () => true, onStored, live }: IngestDeps) {
  // Two batches in flight keep both Node and Postgres busy (measured: 50-status POSTs went
  // from 3.9x to 6.4x the single-status rate); writers lock wamids in one order, so two
  // batches cannot deadlock. A batch holds statuses and, for POSTs that held only statuses,
  // the POSTs themselves, queued for the relay in the statement that applies their statuses.
  const statuses = new GroupCommit<StatusRow | RelayedPost>(
    (items) => {
      const rows: StatusRow[] = [];
      const posts: RelayedPost[] = [];
      for (const i of items) if ("body" in i) posts.push(i); else rows.push(i);
      return repo.applyStatuses(rows, posts);
    },
    { maxItems: 1_000, concurrency: 2, maxQueued },
  );
  const relayed = relayPosts && new GroupCommit<RelayedPost>(relayPosts, { maxItems: 500, concurrency: 1 });

  async function ingest(raw: Buffer): Promise<{ statuses: number; inbound: number; unprocessed: number }> {
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch (err) {
      throw new AppError("bad_request", `The body is not JSON: ${(err as Error).message}`);
    }
    const envelope = EnvelopeSchema.safeParse(json);
    if (!envelope.success) {
      throw new AppError("bad_request", "The body is not a webhook envelope (an object with `object` and an `entry` array).", issuesList(envelope.error));
    }
    const parsed = parseEnvelope(envelope.data.entry);
    const post: RelayedPost = { body: raw, phoneNumberIds: parsed.phoneNumberIds };
    const relaying = relayed !== undefined && relayingPosts();
    const statusesOnly = relaying && parsed.inbound.length === 0 && parsed.unprocessed.length === 0;
    try {
      await Promise.all([
        statuses.submit(statusesOnly ? [...parsed.statuses, post] : parsed.statuses),
        repo.storeInbound(parsed.inbound, autoRead),
        repo.storeUnprocessed(parsed.unprocessed),
      ]);
      // Otherwise queued once all of it is stored (admitted already: never refused for size).
      if (relaying && !statusesOnly) await relayed.submit([post], { always: true });
    } catch (err) {
      // Meta retries a 503; what was stored of this POST is stored once (every write is idempotent).
      if (err instanceof QueueFullError) throw new AppError("unavailable", "Ticks is busy: too many statuses are waiting to be written. Retry later.");
      throw err;
    }
    if (parsed.inbound.length && autoRead) onInbound?.();
    onStored?.();
    if (live?.listening) {
      live.publish([
        ...parsed.statuses.map((s) => ({ wamid: s.wamid, people: s.identities })),
        ...parsed.inbound.map((m) => ({ wamid: m.wamid, people: m.identities })),
      ]);
    }
    return { statuses: parsed.statuses.length, inbound: parsed.inbound.length, unprocessed: parsed.unprocessed.length };
  }

  return { ingest };
}

export type IngestService = ReturnType<typeof createIngestService>;
