// Passes the relay's outbox on to subscribers (docs/relay.md), on the shared outbox loop.
// Each attempt is one POST with a 15 s deadline; redirects are not followed; any 2xx is
// delivered. Outcomes are group-committed. A slow subscriber holds at most MAX_IN_FLIGHT
// requests and its own share of what the process claims ahead, so the others keep theirs.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { Webhook } from "standardwebhooks";
import { Agent, request } from "undici";
import { GroupCommit } from "../db/group-commit.ts";
import { causeChain, codeOf } from "../errors.ts";
import { createOutboxWorker } from "../outbox/worker.ts";
import { sign as metaSignature } from "../webhooks/signature.ts";
import { ClaimPlaces } from "./claim-places.ts";
import type { AttemptOutcome, ClaimedDelivery, DeliveryRepository } from "./delivery-repository.ts";
import { ticksEventBody } from "./events.ts";

/** Most requests in flight to one subscription, over every Ticks process. */
export const MAX_IN_FLIGHT = 8;

/** After the 1st, 2nd … 7th failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; then failed. */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

/**
 * How long a process keeps its subscriptions without renewing them (every second): longer
 * than an attempt's deadline, so an attempt never outlives the lease it started under; after
 * a process died, the wait before another takes its subscriptions over.
 */
const LEASE_MS = 20_000;
const RENEW_EVERY_MS = 1_000;
/** Claims start from the front of what is due at least this often (ClaimPlaces). */
const FRONT_EVERY_MS = 1_000;

export interface RelayWorkerOptions {
  repo: (owner: string) => DeliveryRepository;
  log: Logger;
  /** Deadline of one attempt (default 15 s). */
  timeoutMs?: number;
  retryDelaysMs?: readonly number[];
  pollMs?: number;
  /** Attempts this process runs at once, over every subscription (default 512; MAX_IN_FLIGHT each). */
  concurrency?: number;
  /** Deliveries of one subscription this process claims ahead of attempting them (default 256). */
  prefetch?: number;
}

/** What a failed attempt is recorded as: the answer's status, or the error in words. */
function describe(err: unknown): string {
  for (const e of causeChain(err)) {
    const code = codeOf(e);
    if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || (e as Error).name === "TimeoutError") return "timeout: no answer within the deadline";
    if (code && code.startsWith("E")) return `${code}: ${(e as Error).message}`;
  }
  return (err as Error).message ?? String(err);
}

export function createRelayWorker(o: RelayWorkerOptions) {
  const owner = randomUUID(); // this process, as the holder of its leases
  const repo = o.repo(owner);
  const timeoutMs = o.timeoutMs ?? 15_000;
  const delays = o.retryDelaysMs ?? RETRY_DELAYS_MS;
  const prefetch = o.prefetch ?? 256;
  // Keep-alive connections per origin (the loop caps what one subscription has in flight).
  const dispatcher = new Agent({ connections: 512, keepAliveTimeout: 30_000 });
  const outcomes = new GroupCommit<AttemptOutcome>((rows) => repo.record(rows, delays), { maxItems: 1_000, concurrency: 1 });
  const recording = new Set<Promise<void>>(); // outcomes not yet committed
  // Claimed, until the outcome of its attempt is committed; counted per subscription, so that
  // one subscription's backlog never fills what the process holds and starves the others.
  const held = new Map<bigint, string>();
  const heldBySubscription = new Map<string, number>();
  const hold = (d: ClaimedDelivery) => {
    held.set(d.id, d.subscription_id);
    heldBySubscription.set(d.subscription_id, (heldBySubscription.get(d.subscription_id) ?? 0) + 1);
  };
  const places = new ClaimPlaces(FRONT_EVERY_MS); // where each subscription's next claim starts
  /** No longer held; `unrecorded`: still pending, and behind its subscription's place. */
  const letGo = (id: bigint, unrecorded = false) => {
    const sub = held.get(id);
    if (sub === undefined) return;
    if (unrecorded) places.reset(sub);
    held.delete(id);
    const n = heldBySubscription.get(sub)! - 1;
    if (n === 0) heldBySubscription.delete(sub);
    else heldBySubscription.set(sub, n);
  };
  const webhooks = new Map<string, Webhook>(); // by secret: decoding it once
  // The subscriptions this process leases, and until when that is sure (the time before the
  // last renewal that succeeded, plus the lease): an attempt starts only while it can end
  // before, so another process never delivers to the same subscription at the same time.
  let leased = new Set<string>();
  let leasedUntil = 0;
  let stopped = false;

  const leasesOutlastAnAttempt = () => Date.now() + timeoutMs < leasedUntil;

  async function renew(): Promise<void> {
    if (stopped) return;
    const asked = Date.now();
    try {
      leased = new Set(await repo.lease(LEASE_MS));
      leasedUntil = asked + LEASE_MS;
      places.keep(leased);
    } catch (err) {
      o.log.warn({ err }, "relay: could not renew its subscriptions' leases; attempts pause until it can");
    }
  }

  function build(d: ClaimedDelivery): { body: Buffer | string; headers: Record<string, string> } {
    const id = d.id.toString();
    if (d.format === "meta") {
      const body = Buffer.from(d.body ?? new Uint8Array());
      return { body, headers: { "content-type": "application/json", "x-hub-signature-256": metaSignature(body, d.secret), "x-ticks-delivery-id": id } };
    }
    const body = ticksEventBody(d.event_type, d.created_at, d.data);
    const now = new Date();
    let signer = webhooks.get(d.secret);
    if (!signer) webhooks.set(d.secret, (signer = new Webhook(d.secret)));
    const signature = signer.sign(id, now, body);
    return { body, headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": signature } };
  }

  /** The first `max` characters of an answer's body, without reading the rest. */
  async function start(body: AsyncIterable<Buffer> & { destroy(): void }, max = 500): Promise<string> {
    let text = "";
    for await (const chunk of body) {
      text += chunk.toString("utf8");
      if (text.length >= max) break;
    }
    body.destroy();
    return text.slice(0, max);
  }

  async function attempt(d: ClaimedDelivery): Promise<void> {
    if (!leased.has(d.subscription_id) || !leasesOutlastAnAttempt()) {
      letGo(d.id, true); // not sure to be this process's any more: claimed again once it is
      return;
    }
    const outcome: AttemptOutcome = { id: d.id, delivered: false, responseStatus: null, error: null, gone: false, at: new Date() };
    try {
      // Never sent empty: a delivery whose payload row is missing fails, visibly, on the schedule.
      if (d.body === null && d.data === null) throw new Error("its payload is missing (delivery_payloads has no row for it)");
      const { body, headers } = build(d);
      const res = await request(d.url, { method: "POST", body, headers, dispatcher, signal: AbortSignal.timeout(timeoutMs) });
      outcome.responseStatus = res.statusCode;
      if (res.statusCode >= 200 && res.statusCode < 300) {
        outcome.delivered = true;
        await res.body.dump().catch(() => undefined); // the answer counts; its body does not
      } else {
        const text = res.statusCode >= 300 && res.statusCode < 400 ? `redirect to ${String(res.headers.location ?? "?")} not followed` : await start(res.body);
        outcome.error = `HTTP ${res.statusCode}${text ? `: ${text}` : ""}`;
        outcome.gone = res.statusCode === 410;
      }
    } catch (err) {
      outcome.error = describe(err);
    }
    if (!outcome.delivered) o.log.warn({ deliveryId: d.id.toString(), subscriptionId: d.subscription_id, attempt: d.attempts + 1, error: outcome.error }, "relay delivery attempt failed");
    // The slot is free once the answer is in; the outcome is committed with others'. Until
    // then the delivery stays held (not claimed again), and its message's next event is not due.
    const recorded = outcomes
      .submit([outcome], { always: true })
      .then(
        () => letGo(d.id),
        (err: unknown) => {
          o.log.warn({ err, deliveryId: d.id.toString() }, "relay: an attempt's outcome was not stored; the delivery will be attempted again");
          letGo(d.id, true);
        },
      )
      .finally(() => recording.delete(recorded));
    recording.add(recorded);
  }

  const loop = createOutboxWorker<ClaimedDelivery>({
    name: "relay",
    claim: async (limit) => {
      if (!leasesOutlastAnAttempt()) return []; // renewals failing: what it claimed would be let go at once
      const room = new Map([...leased].map((sub) => [sub, prefetch - (heldBySubscription.get(sub) ?? 0)]));
      let jobs: ClaimedDelivery[] = [];
      try {
        jobs = await repo.claim(limit, prefetch, [...held.keys()], heldBySubscription, places.begin());
        for (const d of jobs) hold(d);
      } finally {
        places.end(jobs, room, jobs.length >= limit); // none after a failed claim: from the front next time
      }
      return jobs;
    },
    run: attempt,
    release: async (jobs) => void jobs.forEach((d) => letGo(d.id, true)),
    log: o.log,
    pollMs: o.pollMs ?? 1_000,
    concurrency: o.concurrency ?? 512,
    prefetch: prefetch * 64,
    keyOf: (d) => d.subscription_id,
    perKey: MAX_IN_FLIGHT,
    refillBelow: 64,
    claimGapMs: 10,
    mayHaveWork: () => leased.size > 0,
  });

  let leaseTimer: NodeJS.Timeout | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  return {
    async start() {
      await renew();
      leaseTimer = setInterval(() => void renew(), RENEW_EVERY_MS);
      pruneTimer = setInterval(() => void repo.forgetOldPosts().catch(() => undefined), 3_600_000);
      leaseTimer.unref();
      pruneTimer.unref();
      loop.start();
    },
    /** Something was queued: deliver it now (nothing to do while this process leases no subscription). */
    wake: (): void => {
      if (leased.size > 0) loop.wake();
    },
    /** Subscriptions changed: lease them and look again. */
    refresh: async (): Promise<void> => {
      await renew();
      loop.wake();
    },
    async stop() {
      stopped = true;
      clearInterval(leaseTimer);
      clearInterval(pruneTimer);
      await loop.stop();
      await Promise.all(recording);
      await repo.release().catch((err: unknown) => o.log.warn({ err }, "relay: could not let its subscriptions go; another process takes them when the leases end"));
      await dispatcher.close();
    },
  };
}

export type RelayWorker = ReturnType<typeof createRelayWorker>;
