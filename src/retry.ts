// Retries with p-retry, paid for only when the first attempt fails. Most calls on the send
// path succeed at once, and p-retry allocates per call (its RetryOperation, the backoff
// schedule, closures) objects that V8 promoted to the old generation under load: at 1,000
// sends/s Ticks ran 2-4 full collections every 10 s with p-retry around every call, and 2 in
// 40 s without it (scripts/bench-send.ts, docs/benchmarks.md). The first failure is handed to
// p-retry as its own first attempt, so the attempts, backoff and giving-up rules are p-retry's,
// exactly as if it had run from the start.
import pRetry, { type Options } from "p-retry";

export async function retryOnFailure<T>(fn: () => Promise<T>, options: Options): Promise<T> {
  let first: unknown;
  try {
    return await fn();
  } catch (err) {
    first = err;
  }
  // p-retry stops at once when its signal is aborted, with the signal's reason.
  if (options.signal?.aborted) throw options.signal.reason;
  return pRetry((attempt) => (attempt === 1 ? Promise.reject(first) : fn()), options);
}
