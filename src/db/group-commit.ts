// Group commit: the rows of many concurrent requests are written by one statement (the
// statuses of webhook POSTs, the pending and accepted rows of sends). While a batch is
// being written, new arrivals wait and form the next batch; each request's promise
// settles when the batch holding its items has committed (or failed), so an answer still
// means "stored". Under light load a batch is one request and nothing waits.
import { isDatabaseUnavailable } from "../errors.ts";

/** The queue holds its cap of items: the caller answers 503 instead of growing memory. */
export class QueueFullError extends Error {}

export interface GroupCommitOptions {
  /** Most items in one statement. */
  maxItems: number;
  /** Statements in flight at once. */
  concurrency: number;
  /** Most items waiting (not yet being written) before `submit` refuses new ones. */
  maxQueued?: number;
}

export class GroupCommit<T> {
  private queue: { items: T[]; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private queued = 0;
  private running = 0;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly opts: GroupCommitOptions = { maxItems: 2_000, concurrency: 1 },
  ) {}

  /**
   * Queues the items; resolves once they are committed. Refused with QueueFullError past
   * `maxQueued`, unless `always` (for writes that finish work already admitted, such as
   * Meta's answer to a send whose pending row is stored).
   */
  submit(items: T[], { always = false } = {}): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    // A submission larger than the cap is still taken when nothing waits: refusing it would
    // refuse it forever (Meta retries the same POST).
    if (!always && this.opts.maxQueued !== undefined && this.queued > 0 && this.queued + items.length > this.opts.maxQueued) {
      return Promise.reject(new QueueFullError(`${this.queued} items are waiting to be written`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queued += items.length;
      if (this.running < this.opts.concurrency) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running += 1;
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        try {
          await this.write(batch.flatMap((b) => b.items));
          for (const b of batch) b.resolve();
        } catch (err) {
          // One submitter's bad items must not fail the others': write them one by one. When
          // the database itself is gone, every one would fail the same way: fail them at once.
          if (batch.length === 1 || isDatabaseUnavailable(err)) for (const b of batch) b.reject(err);
          else for (const b of batch) await this.write(b.items).then(b.resolve, b.reject);
        }
      }
    } finally {
      this.running -= 1;
    }
  }

  private take() {
    let n = 0;
    let count = 0;
    while (n < this.queue.length && (n === 0 || count + this.queue[n]!.items.length <= this.opts.maxItems)) {
      count += this.queue[n]!.items.length;
      n += 1;
    }
    this.queued -= count;
    return this.queue.splice(0, n);
  }
}
