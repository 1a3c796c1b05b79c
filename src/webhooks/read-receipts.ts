// Automatic read receipts, durable: each inbound message gets a row in `read_receipts`
// in the same statement that stores it, and the outbox loop (outbox/worker.ts) drains the
// table. Jobs are claimed with FOR UPDATE SKIP LOCKED and a lease (next_attempt_at pushed ahead), so
// several Ticks processes share the table and a receipt claimed by a process that died
// is taken up again when its lease ends. Meta's mark-as-read is idempotent, so "at least
// once" is safe. Transient failures back off exponentially for up to 24 hours, then the
// receipt is given up and the reason recorded on the message.
import type { Logger } from "pino";
import type { ReadReceiptRepository, ReceiptJob as Job } from "./read-receipt-repository.ts";
import { GraphNoAnswerError, isTransient, type GraphClient } from "../graph/client.ts";
import { createOutboxWorker } from "../outbox/worker.ts";
import type { LiveBus } from "../live/bus.ts";

export interface ReadReceiptOptions {
  repo: ReadReceiptRepository;
  graph: GraphClient;
  log: Logger;
  graphApiVersion: string;
  /** How often due jobs are looked for when nothing wakes the worker. */
  pollMs?: number;
  /** How long a claim lasts before another process may take the job. */
  leaseMs?: number;
  /** Receipts in flight at once. */
  concurrency?: number;
  /** Deadline of one mark-as-read call, retries included. */
  callTimeoutMs?: number;
  backoff?: (attempts: number) => number;
  /** Told when a message was marked read (the console's live view). */
  live?: LiveBus;
}

/** 2 s, 4 s, 8 s … capped at 10 minutes, with ±20% jitter. */
export const defaultBackoff = (attempts: number) =>
  Math.min(600_000, 1_000 * 2 ** attempts) * (0.8 + Math.random() * 0.4);

export function createReadReceiptWorker(o: ReadReceiptOptions) {
  const leaseMs = o.leaseMs ?? 60_000;
  const backoff = o.backoff ?? defaultBackoff;

  async function deliver(job: Job): Promise<void> {
    const body = { messaging_product: "whatsapp", status: "read", message_id: job.wamid };
    let failure: { transient: boolean; error: unknown };
    try {
      const answer = await o.graph.postMessages(o.graphApiVersion, job.phone_number_id, body, o.callTimeoutMs ?? 30_000);
      if (answer.status >= 200 && answer.status < 300) {
        await o.repo.done(job);
        if (o.live?.listening) o.live.publish([{ id: job.message_id, wamid: job.wamid, people: [] }]);
        return;
      }
      failure = { transient: isTransient(answer), error: (answer.data as { error?: unknown })?.error ?? answer.data };
    } catch (err) {
      if (!(err instanceof GraphNoAnswerError)) throw err;
      failure = { transient: true, error: { code: 2, message: err.message } };
    }
    const next = new Date(Date.now() + backoff(job.attempts));
    const lastError = JSON.stringify(failure.error);
    if (failure.transient && next < job.give_up_at) {
      await o.repo.retryAt(job, next, lastError);
      return;
    }
    o.log.warn({ messageId: job.message_id, error: failure.error }, "read receipt given up");
    const recorded = { code: "read_receipt_failed", title: "Read receipt not sent", attempts: job.attempts, error: failure.error };
    await o.repo.giveUp(job, lastError, recorded);
  }

  return createOutboxWorker<Job>({
    name: "read receipts",
    claim: (limit) => o.repo.claim(limit, leaseMs),
    run: deliver,
    log: o.log,
    pollMs: o.pollMs ?? 1_000,
    concurrency: o.concurrency ?? 20,
  });
}

export type ReadReceiptWorker = ReturnType<typeof createReadReceiptWorker>;
