// Where the relay's next claim of each subscription starts (docs/relay.md, "Delivery"): after
// the last delivery the previous claim took of it, in due order (next attempt, id). Every
// update of a delivery leaves an entry behind in the index of due deliveries until it is
// cleaned up, so after an outage a claim from the front read thousands of index pages before
// its first row. What a claim passes over (an event waiting for its message's earlier one, a
// delivery let go without an outcome, one queued by a transaction that began before the claim)
// is behind the place: claims start from the front again at least every `frontEveryMs`, and for
// a subscription as soon as something of it may be behind its place.
import type { ClaimPlace } from "./delivery-repository.ts";

export class ClaimPlaces {
  private readonly places = new Map<string, ClaimPlace>();
  /** Subscriptions reset while a claim was in flight: that claim must not set their places. */
  private readonly resetDuringClaim = new Set<string>();
  private claiming = false;
  private frontAt = -Infinity;

  /** `now`: a monotonic clock in milliseconds (a wall clock set back would hold the front looks off). */
  constructor(
    private readonly frontEveryMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A claim begins: the places it starts after (none, all from the front, once `frontEveryMs` has passed). */
  begin(): ReadonlyMap<string, ClaimPlace> {
    if (this.now() - this.frontAt >= this.frontEveryMs) {
      this.places.clear();
      this.frontAt = this.now();
    }
    this.claiming = true;
    this.resetDuringClaim.clear();
    return new Map(this.places);
  }

  /**
   * The claim returned `rows` (in due order within each subscription); `room`, what it could
   * take of each subscription; `full`, whether it took as many as it asked for in all. A
   * subscription that got less than its room, the claim not being full, has nothing due after
   * its place: its next claim looks from the front.
   */
  end(rows: { subscription_id: string; next_attempt_at: Date; id: bigint }[], room: ReadonlyMap<string, number>, full: boolean): void {
    this.claiming = false;
    const got = new Map<string, number>();
    for (const d of rows) {
      got.set(d.subscription_id, (got.get(d.subscription_id) ?? 0) + 1);
      if (!this.resetDuringClaim.has(d.subscription_id)) this.places.set(d.subscription_id, { at: d.next_attempt_at, id: d.id });
    }
    if (!full) for (const [sub, n] of room) if ((got.get(sub) ?? 0) < n) this.places.delete(sub);
    this.resetDuringClaim.clear();
  }

  /** Something of `sub` may be pending behind its place (let go without an outcome): from the front next time. */
  reset(sub: string): void {
    this.places.delete(sub);
    if (this.claiming) this.resetDuringClaim.add(sub);
  }

  /** Only the subscriptions still leased keep their places. */
  keep(leased: ReadonlySet<string>): void {
    for (const sub of this.places.keys()) if (!leased.has(sub)) this.reset(sub);
  }
}
