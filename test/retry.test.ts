// retryOnFailure: p-retry's rules, without p-retry on a call that succeeds at once.
import { describe, expect, it } from "vitest";
import { retryOnFailure } from "../src/retry.ts";

/** A function that fails with the given errors, in order, then answers "ok"; it records when it ran. */
function flaky(...failures: Error[]) {
  const calls: number[] = [];
  const fn = async () => {
    calls.push(performance.now());
    const err = failures.shift();
    if (err) throw err;
    return "ok";
  };
  return { fn, calls };
}

const fast = { minTimeout: 20, maxTimeout: 20, factor: 1, randomize: false };

describe("retryOnFailure", () => {
  it("calls once when the first call succeeds", async () => {
    const f = flaky();
    await expect(retryOnFailure(f.fn, { retries: 3, ...fast })).resolves.toBe("ok");
    expect(f.calls).toHaveLength(1);
  });

  it("retries a failure after the backoff, as p-retry would", async () => {
    const f = flaky(new Error("one"), new Error("two"));
    await expect(retryOnFailure(f.fn, { retries: 3, ...fast })).resolves.toBe("ok");
    expect(f.calls).toHaveLength(3);
    expect(f.calls[1]! - f.calls[0]!).toBeGreaterThanOrEqual(15); // the first failure waited its backoff too
  });

  it("counts the first call as p-retry's first attempt: `retries` more, then the last error", async () => {
    const f = flaky(...Array.from({ length: 10 }, (_, i) => new Error(`fail ${i}`)));
    await expect(retryOnFailure(f.fn, { retries: 2, ...fast })).rejects.toThrow("fail 2");
    expect(f.calls).toHaveLength(3);
  });

  it("does not retry what p-retry never retries (a TypeError that is not a network error)", async () => {
    const f = flaky(new TypeError("a bug"));
    await expect(retryOnFailure(f.fn, { retries: 3, ...fast })).rejects.toThrow("a bug");
    expect(f.calls).toHaveLength(1);
  });

  it("stops with the signal's reason when the signal was aborted during the first call", async () => {
    const controller = new AbortController();
    const fn = async () => {
      controller.abort(new Error("deadline"));
      throw new Error("aborted call");
    };
    await expect(retryOnFailure(fn, { retries: 3, ...fast, signal: controller.signal })).rejects.toThrow("deadline");
  });

  it("stops with the signal's reason when the signal is aborted while waiting to retry", async () => {
    const controller = new AbortController();
    const f = flaky(...Array.from({ length: 10 }, () => new Error("down")));
    const done = retryOnFailure(f.fn, { retries: 5, minTimeout: 200, maxTimeout: 200, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("deadline")), 50);
    await expect(done).rejects.toThrow("deadline");
    expect(f.calls).toHaveLength(1);
  });
});
