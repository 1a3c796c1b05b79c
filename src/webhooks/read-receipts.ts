// Automatic read receipts, durable: each inbound message gets a row in `read_receipts`
// in the same statement that stores it, and this worker drains the table. Jobs are
// claimed with FOR UPDATE SKIP LOCKED and a lease (next_attempt_at pushed ahead), so
// several Ticks processes share the table and a receipt claimed by a process that died
// is taken up again when its lease ends. Meta's mark-as-read is idempotent, so "at least
// once" is safe. Transient failures back off exponentially for up to 24 hours, then the
// receipt is given up and the reason recorded on the message.
import type { Logger } from "pino";
import type { Db } from "../db/index.ts";
import { GraphNoAnswerError, isTransient, type GraphClient } from "../graph/client.ts";

interface Job {
  id: bigint;
  message_id: string;
  wamid: string;
  phone_number_id: string;
  attempts: number;
  give_up_at: Date;
}

export interface ReadReceiptOptions {
  db: Db;
  graph: GraphClient;
  log: Logger;
  graphApiVersion: string;
  /** How often due jobs are looked for when nothing wakes the worker. */
  pollMs?: number;
  /** How long a claim lasts before another process may take the job. */
  leaseMs?: number;
  batchSize?: number;
  /** Deadline of one mark-as-read call, retries included. */
  callTimeoutMs?: number;
  backoff?: (attempts: number) => number;
}

/** 2 s, 4 s, 8 s … capped at 10 minutes, with ±20% jitter. */
export const defaultBackoff = (attempts: number) =>
  Math.min(600_000, 1_000 * 2 ** attempts) * (0.8 + Math.random() * 0.4);

export function createReadReceiptWorker(o: ReadReceiptOptions) {
  const pollMs = o.pollMs ?? 1_000;
  const leaseMs = o.leaseMs ?? 60_000;
  const backoff = o.backoff ?? defaultBackoff;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  const claim = () => o.db.$queryRaw<Job[]>`
    UPDATE read_receipts r SET attempts = r.attempts + 1,
      next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
    FROM (
      SELECT id FROM read_receipts
      WHERE done_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= now()
      ORDER BY next_attempt_at LIMIT ${o.batchSize ?? 20}
      FOR UPDATE SKIP LOCKED
    ) due
    WHERE r.id = due.id
    RETURNING r.id, r.message_id, r.wamid, r.phone_number_id, r.attempts, r.give_up_at`;

  async function deliver(job: Job): Promise<void> {
    const body = { messaging_product: "whatsapp", status: "read", message_id: job.wamid };
    let failure: { transient: boolean; error: unknown };
    try {
      const answer = await o.graph.postMessages(o.graphApiVersion, job.phone_number_id, body, o.callTimeoutMs ?? 30_000);
      if (answer.status >= 200 && answer.status < 300) {
        await o.db.$transaction([
          o.db.$executeRaw`UPDATE read_receipts SET done_at = now(), last_error = NULL WHERE id = ${job.id}`,
          o.db.$executeRaw`UPDATE messages SET marked_read_at = now(), updated_at = now() WHERE id = ${job.message_id}::uuid`,
        ]);
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
      await o.db.$executeRaw`UPDATE read_receipts SET next_attempt_at = ${next}, last_error = ${lastError} WHERE id = ${job.id}`;
      return;
    }
    o.log.warn({ wamid: job.wamid, error: failure.error }, "read receipt given up");
    const recorded = JSON.stringify({ code: "read_receipt_failed", title: "Read receipt not sent", attempts: job.attempts, error: failure.error });
    await o.db.$transaction([
      o.db.$executeRaw`UPDATE read_receipts SET gave_up_at = now(), last_error = ${lastError} WHERE id = ${job.id}`,
      o.db.$executeRaw`UPDATE messages SET errors = COALESCE(errors, '[]'::jsonb) || jsonb_build_array(${recorded}::jsonb),
        updated_at = now() WHERE id = ${job.message_id}::uuid`,
    ]);
  }

  async function runOnce(): Promise<number> {
    const jobs = await claim();
    await Promise.all(
      jobs.map((job) => deliver(job).catch((err: unknown) => o.log.error({ err, wamid: job.wamid }, "read receipt attempt failed; its lease will expire and it is retried"))),
    );
    return jobs.length;
  }

  /** Drains every due job now; concurrent calls coalesce into one more pass. */
  function kick(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          while ((await runOnce()) > 0 && !stopped) {
            /* keep draining */
          }
        } while (again && !stopped);
      } catch (err) {
        o.log.warn({ err }, "read-receipt worker could not reach the database; it will try again");
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  return {
    start() {
      stopped = false;
      const tick = () => {
        void kick().finally(() => {
          if (!stopped) timer = setTimeout(tick, pollMs);
        });
      };
      tick();
    },
    kick: () => (stopped ? Promise.resolve() : kick()),
    /** One pass regardless of start/stop (tests, scripts). */
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export type ReadReceiptWorker = ReturnType<typeof createReadReceiptWorker>;
