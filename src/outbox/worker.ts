// The one durable job loop, shared by the read receipts and the relay's deliveries. Jobs
// live in a table of their own (written in the statement that stores what they are about),
// so nothing is lost when the process stops; this loop claims due jobs with a lease
// (several processes share a table), runs them, and claims again as soon as it has room,
// when woken (`wake`, `kick`) or every `pollMs`. A job records its own outcome (done, retry
// at, given up); one whose run throws is logged and claimed again later (its claim lapses).
// Jobs can be grouped by a key (the relay: one per subscription) with a cap on how many of
// one key run at once, so a slow key holds only its own slots.
import type { Logger } from "pino";

export interface OutboxOptions<J> {
  /** For logs: "read receipts", "relay". */
  name: string;
  /** Due jobs, at most `limit`, leased to this process. */
  claim(limit: number): Promise<J[]>;
  /** Attempts one job and records (or queues the recording of) its outcome. */
  run(job: J): Promise<void>;
  log: Logger;
  /** How often due jobs are looked for when nothing wakes the loop. */
  pollMs: number;
  /** Jobs this process runs at once. */
  concurrency: number;
  /** Jobs claimed and not yet finished, waiting ones included (default: concurrency). */
  prefetch?: number;
  /** The job's group, and how many of one group run at once (default: no groups). */
  keyOf?: (job: J) => string;
  perKey?: number;
  /** After a job, claims more when fewer than this many claimed jobs wait to start, or none of its key (default: always). */
  refillBelow?: number;
  /**
   * After a claim that found less than it could take, woken again: wait this long first, so
   * that work arriving steadily is claimed in batches rather than a claim per job (default 0).
   */
  claimGapMs?: number;
  /** Checked before each poll's claim: false skips it (nothing can be due). */
  mayHaveWork?: () => boolean | Promise<boolean>;
  /** On stop: jobs claimed and not started, given back (so that another process need not wait for their leases). */
  release?: (jobs: J[]) => Promise<void>;
}

export function createOutboxWorker<J>(o: OutboxOptions<J>) {
  const prefetch = o.prefetch ?? o.concurrency;
  const perKey = o.perKey ?? o.concurrency;
  const keyOf = o.keyOf ?? (() => "");
  const refillBelow = o.refillBelow ?? Infinity;
  const waiting = new Map<string, J[]>(); // claimed, not started, per key
  const runningByKey = new Map<string, number>();
  let held = 0; // claimed and not finished
  let running = 0;
  let claiming = false;
  let again = false;
  let stopped = false; // kick() works before start(), which adds the polling
  let timer: NodeJS.Timeout | undefined;
  let idle: (() => void)[] = [];

  const settle = () => {
    if (claiming || held > 0) return;
    const resolve = idle;
    idle = [];
    for (const r of resolve) r();
  };

  function dispatch(): void {
    if (stopped) return;
    for (const [key, jobs] of waiting) {
      while (jobs.length > 0 && running < o.concurrency && (runningByKey.get(key) ?? 0) < perKey) {
        start(key, jobs.shift()!);
      }
      if (jobs.length === 0) waiting.delete(key);
      if (running >= o.concurrency) return;
    }
  }

  function start(key: string, job: J): void {
    running += 1;
    runningByKey.set(key, (runningByKey.get(key) ?? 0) + 1);
    void o
      .run(job)
      .catch((err: unknown) => o.log.error({ err }, `${o.name}: an attempt could not be recorded; the job is tried again when its lease ends`))
      .finally(() => {
        running -= 1;
        held -= 1;
        const n = runningByKey.get(key)! - 1;
        if (n === 0) runningByKey.delete(key);
        else runningByKey.set(key, n);
        dispatch();
        if (stopped) settle();
        // There is room: claim when few wait, or none of this key (others' backlog must not starve it).
        else if (held - running < refillBelow || !waiting.has(key)) void fill();
      });
  }

  function queue(jobs: J[]): void {
    for (const job of jobs) {
      const key = keyOf(job);
      const list = waiting.get(key);
      if (list) list.push(job);
      else waiting.set(key, [job]);
    }
    dispatch();
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
        while (!stopped && held < prefetch) {
          const room = prefetch - held;
          const jobs = await o.claim(room);
          if (stopped) {
            await o.release?.(jobs); // claimed while stopping: not started
            break;
          }
          if (jobs.length < room && o.claimGapMs) {
            // Drained: what arrives next is taken in one claim a moment later, not one by one.
            held += jobs.length;
            queue(jobs);
            await new Promise((r) => setTimeout(r, o.claimGapMs));
            break;
          }
          if (jobs.length === 0) break;
          held += jobs.length;
          queue(jobs);
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
    /** Claims and runs what is due now, without waiting for it (for callers that wake it often). */
    wake(): void {
      if (!stopped) void fill();
    },
    start() {
      stopped = false;
      const tick = async () => {
        const look = await Promise.resolve(o.mayHaveWork?.() ?? true).catch(() => true);
        if (look) void fill(); // not awaited: under steady work the loop is never idle, and the poll must go on
        if (!stopped) timer = setTimeout(() => void tick(), o.pollMs);
      };
      void tick();
    },
    kick,
    /** Claims nothing more; resolves when the jobs running now have ended (waiting ones are let go: their leases end). */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const unstarted = [...waiting.values()].flat();
      waiting.clear();
      held -= unstarted.length;
      if (unstarted.length) await o.release?.(unstarted).catch((err: unknown) => o.log.warn({ err }, `${o.name}: could not give back claimed jobs; another process takes them when their leases end`));
      if (claiming || held > 0) await new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
