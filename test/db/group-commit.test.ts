// The group-commit mechanism on its own: the writer is a plain function recording its calls.
import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/db/group-commit.ts";

function recorder(fail: (items: number[]) => Error | undefined = () => undefined) {
  const calls: number[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const write = async (items: number[]) => {
    calls.push(items);
    if (calls.length === 1) await gate; // hold the first batch so that others gather behind it
    const err = fail(items);
    if (err) throw err;
  };
  return { calls, write, release };
}

describe("when requests submit while a batch is being written", () => {
  it("then the waiting ones are written together in one call and each settles after it", async () => {
    const r = recorder();
    const gc = new GroupCommit<number>(r.write, { maxItems: 100, concurrency: 1 });
    const first = gc.submit([1]);
    const rest = [gc.submit([2]), gc.submit([3, 4]), gc.submit([5])];
    r.release();
    await Promise.all([first, ...rest]);
    expect(r.calls).toEqual([[1], [2, 3, 4, 5]]);
  });

  it("then a batch never goes past maxItems (one larger submission still goes whole)", async () => {
    const r = recorder();
    const gc = new GroupCommit<number>(r.write, { maxItems: 3, concurrency: 1 });
    const all = [gc.submit([0]), gc.submit([1, 2]), gc.submit([3, 4]), gc.submit([5, 6, 7, 8])];
    r.release();
    await Promise.all(all);
    expect(r.calls).toEqual([[0], [1, 2], [3, 4], [5, 6, 7, 8]]);
  });
});

describe("when a batch fails", () => {
  it("then one submitter's bad items fail only that submitter", async () => {
    const r = recorder((items) => (items.includes(13) ? new Error("bad item") : undefined));
    const gc = new GroupCommit<number>(r.write, { maxItems: 100, concurrency: 1 });
    const first = gc.submit([1]);
    const good = gc.submit([2]);
    const bad = gc.submit([13]);
    r.release();
    await first;
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow("bad item");
    expect(r.calls).toEqual([[1], [2, 13], [2], [13]]);
  });

  it("then with the database gone every submitter fails at once, without one write each", async () => {
    const down = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const r = recorder((items) => (items.length ? down : undefined));
    const gc = new GroupCommit<number>(r.write, { maxItems: 100, concurrency: 1 });
    const all = [gc.submit([1]), gc.submit([2]), gc.submit([3])];
    r.release();
    for (const p of all) await expect(p).rejects.toBe(down);
    expect(r.calls).toEqual([[1], [2, 3]]);
  });
});

describe("when more items wait than the queue's cap", () => {
  it("then new submissions are refused at once, admitted ones still commit, and `always` writes pass", async () => {
    const { QueueFullError } = await import("../../src/db/group-commit.ts");
    const r = recorder();
    const gc = new GroupCommit<number>(r.write, { maxItems: 100, concurrency: 1, maxQueued: 3 });
    const first = gc.submit([1]); // being written (held): not waiting
    const waiting = [gc.submit([2, 3]), gc.submit([4])];
    await expect(gc.submit([5])).rejects.toBeInstanceOf(QueueFullError);
    const finishing = gc.submit([6], { always: true });
    r.release();
    await Promise.all([first, ...waiting, finishing]);
    expect(r.calls).toEqual([[1], [2, 3, 4, 6]]);
    await gc.submit([7, 8, 9, 10, 11]); // room again, and a submission larger than the cap is taken when nothing waits
    expect(r.calls.at(-1)).toEqual([7, 8, 9, 10, 11]);
  });
});
