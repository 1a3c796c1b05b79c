// Where the relay's claims start: after the last delivery claimed of each subscription, and
// from the front whenever something may have been passed over. (That a backlog passed over
// this way is still delivered, once each and in order, is in delivery.test.ts.)
import { describe, expect, it } from "vitest";
import { ClaimPlaces } from "../../src/relay/claim-places.ts";

const A = "sub-a";
const B = "sub-b";
const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 12, 0, s));
const row = (sub: string, id: number, s: number) => ({ subscription_id: sub, id: BigInt(id), next_attempt_at: at(s) });

function clocked() {
  let t = 0;
  const places = new ClaimPlaces(1_000, () => t);
  return { places, tick: (ms: number) => void (t += ms) };
}

describe("given claims that took deliveries of two subscriptions", () => {
  it("then the next claim starts after the last one taken of each, in due order", () => {
    const { places } = clocked();
    expect(places.begin().size).toBe(0);
    places.end([row(A, 1, 1), row(B, 2, 1), row(A, 3, 2), row(B, 4, 3)], new Map([[A, 2], [B, 2]]), false);
    expect(places.begin()).toEqual(new Map([[A, { id: 3n, at: at(2) }], [B, { id: 4n, at: at(3) }]]));
  });

  it("then, a second after the last look from the front, the next claim looks from the front again", () => {
    const { places, tick } = clocked();
    places.begin();
    places.end([row(A, 1, 1)], new Map([[A, 1]]), false);
    tick(999);
    expect(places.begin().size).toBe(1);
    places.end([row(A, 2, 1)], new Map([[A, 1]]), false);
    tick(1);
    expect(places.begin().size).toBe(0);
  });

  it("then a subscription that got less than its room has nothing more due after its place, unless the claim was cut by its limit", () => {
    const { places } = clocked();
    places.begin();
    places.end([row(A, 1, 1), row(B, 2, 1)], new Map([[A, 1], [B, 5]]), false);
    expect([...places.begin().keys()]).toEqual([A]);
    places.end([row(A, 3, 1), row(B, 4, 1)], new Map([[A, 5], [B, 5]]), true); // full: B's and A's rows may go on
    expect([...places.begin().keys()].sort()).toEqual([A, B]);
  });

  it("then a failed claim leaves every subscription with room to look from the front", () => {
    const { places } = clocked();
    places.begin();
    places.end([row(A, 1, 1)], new Map([[A, 1]]), true);
    places.begin();
    places.end([], new Map([[A, 1]]), false);
    expect(places.begin().size).toBe(0);
  });
});

describe("given a delivery let go without its outcome, or a subscription no longer leased", () => {
  it("then its subscription's next claim looks from the front", () => {
    const { places } = clocked();
    places.begin();
    places.end([row(A, 1, 1), row(B, 2, 1)], new Map([[A, 1], [B, 1]]), true);
    places.reset(A);
    expect([...places.begin().keys()]).toEqual([B]);
    places.end([row(B, 3, 1)], new Map([[B, 1]]), true);
    places.keep(new Set([A]));
    expect(places.begin().size).toBe(0);
  });

  it("then a claim in flight at that moment does not set the place again when it returns", () => {
    const { places } = clocked();
    places.begin();
    places.end([row(A, 1, 1), row(B, 2, 1)], new Map([[A, 1], [B, 1]]), true);
    places.begin(); // a claim goes out
    places.reset(A); // meanwhile
    places.keep(new Set([A])); // and B's lease is lost
    places.end([row(A, 5, 2), row(B, 6, 2)], new Map([[A, 1], [B, 1]]), true);
    expect(places.begin().size).toBe(0);
    places.end([row(A, 7, 2)], new Map([[A, 1]]), true); // the next claim sets it as usual
    expect([...places.begin().keys()]).toEqual([A]);
  });
});
