// Data access of the read-receipt outbox (see read-receipts.ts). Only repositories talk to
// the database.
import type { Database } from "../db/index.ts";

export interface ReceiptJob {
  id: bigint;
  message_id: string;
  wamid: string;
  phone_number_id: string;
  attempts: number;
  give_up_at: Date;
}

export function createReadReceiptRepository(db: Database) {
  const { prisma } = db;
  return {
    /**
     * Claims up to `limit` due receipts for `leaseMs`: raw SQL, because FOR UPDATE SKIP LOCKED
     * (several processes share the outbox, none waits for another's rows) has no Prisma form.
     */
    claim: (limit: number, leaseMs: number) => prisma.$queryRaw<ReceiptJob[]>`
      UPDATE read_receipts r SET attempts = r.attempts + 1,
        next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
      FROM (
        SELECT id FROM read_receipts
        WHERE done_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ) due
      WHERE r.id = due.id
      RETURNING r.id, r.message_id, r.wamid, r.phone_number_id, r.attempts, r.give_up_at`,

    /** Meta took the receipt: the job is done and the message records when. */
    async done(job: ReceiptJob, at = new Date()): Promise<void> {
      await prisma.$transaction([
        prisma.readReceipt.update({ where: { id: job.id }, data: { doneAt: at, lastError: null } }),
        prisma.message.update({ where: { id: job.message_id }, data: { markedReadAt: at, updatedAt: at } }),
      ]);
    },

    async retryAt(job: ReceiptJob, next: Date, lastError: string): Promise<void> {
      await prisma.readReceipt.update({ where: { id: job.id }, data: { nextAttemptAt: next, lastError } });
    },

    /**
     * Given up: the job says why, and the reason joins the message's `errors` (raw SQL: an
     * append to a JSON array in place, so that a concurrent write is never overwritten).
     */
    async giveUp(job: ReceiptJob, lastError: string, recorded: unknown): Promise<void> {
      await prisma.$transaction([
        prisma.readReceipt.update({ where: { id: job.id }, data: { gaveUpAt: new Date(), lastError } }),
        prisma.$executeRaw`UPDATE messages SET errors = COALESCE(errors, '[]'::jsonb) || jsonb_build_array(${JSON.stringify(recorded)}::jsonb),
          updated_at = now() WHERE id = ${job.message_id}::uuid`,
      ]);
    },
  };
}

export type ReadReceiptRepository = ReturnType<typeof createReadReceiptRepository>;
