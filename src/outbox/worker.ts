// The one durable job loop, shared by the read receipts and the relay's deliveries. Jobs
// live in a table of their own (written in the statement that stores what they are about),
// so nothing is lost when the process stops; this loop claims due jobs with a lease
// (several processes share a table), runs each, and claims again as soon as a slot frees,
// when woken (`kick`) or every `pollMs`. A job records its own outcome (done, retry at,
// given up); a job whose run throws keeps its lease until it ends, then is claimed again.
import type { Logger } from "pino";

export interface OutboxOptions<J> {
  /** For logs: "read receipts", "relay". */
  name: string;
  /** Due jobs, at most `limit`, leased to this process. */
  claim(limit: number): Promise<J[]>;
  /** Attempts one job and records its outcome. */
  run(job: J): Promise<void>;
  log: Logger;
  /** How often due jobs are looked for when nothing wakes the loop. */
  pollMs: number;
  /** Jobs this process runs at once. */
  concurrency: number;
  /** Checked before each poll's claim: false skips it (nothing can be due). */
  mayHaveWork?: () => boolean | Promise<boolean>;
}

export function createOutboxWorker<J>(o: OutboxOptions<J>) {
  let inflight = 0;
  let claiming = false;
  let again = false;
  let stopped = false; // kick() works before start(), which adds the polling
  let timer: NodeJS.Timeout | undefined;
  let idle: (() => void)[] = [];

  const settle = () => {
    if (claiming || inflight > 0) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  };

  function runJob(job: J): void {
    inflight += 1;
    void o
      .run(job)
      .catch((err: unknown) => o.log.error({ err }, `${o.name}: an attempt could not be recorded; the job is tried again when its lease ends`))
      .finally(() => {
        inflight -= 1;
        if (stopped) settle();
        else void fill(); // a slot is free
      });
  }

  async function fill(): Promise<void> {
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    try {
      do {
        again = false;
        while (!stopped && inflight < o.concurrency) {
          const jobs = await o.claim(o.concurrency - inflight);
          if (jobs.length === 0) break;
          for (const job of jobs) runJob(job);
        }
      } while (again && !stopped);
    } catch (err) {
      o.log.warn({ err }, `${o.name}: could not claim jobs; trying again in ${o.pollMs} ms`);
    } finally {
      claiming = false;
      settle();
    }
  }

  /** Claims and runs what is due now; resolves once nothing more is due and nothing runs. */
  function kick(): Promise<void> {
    if (stopped) return Promise.resolve();
    const done = new Promise<void>((resolve) => idle.push(resolve));
    void fill();
    return done;
  }

  return {
    start() {
      stopped = false;
      const tick = async () => {
        const look = await Promise.resolve(o.mayHaveWork?.() ?? true).catch(() => true);
        if (look) await kick();
        if (!stopped) timer = setTimeout(() => void tick(), o.pollMs);
      };
      void tick();
    },
    kick,
    /** Claims nothing more; resolves when the jobs running now have ended. */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (claiming || inflight > 0) await new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}

export type OutboxWorker = ReturnType<typeof createOutboxWorker>;
