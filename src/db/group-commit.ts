// Group commit: the rows of many concurrent requests are written by one statement (the
// statuses of webhook POSTs, the pending and accepted rows of sends). While a batch is
// being written, new arrivals wait and form the next batch; each request's promise
// settles when the batch holding its items has committed (or failed), so an answer still
// means "stored". Under light load a batch is one request and nothing waits.
import { isDatabaseUnavailable } from "../errors.ts";

export class GroupCommit<T> {
  private queue: { items: T[]; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private running = 0;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly opts: { maxItems: number; concurrency: number } = { maxItems: 2_000, concurrency: 1 },
  ) {}

  submit(items: T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
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
    return this.queue.splice(0, n);
  }
}
