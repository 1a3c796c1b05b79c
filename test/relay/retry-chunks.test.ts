// A retry of a whole subscription walks its deliveries in keyset chunks (each delivered from
// as soon as it is written): every undelivered one is made due exactly once, those already due
// are counted but not written again, delivered ones and other subscriptions are left alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeliveryRepository } from "../../src/relay/delivery-repository.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const hourFromNow = () => new Date(Date.now() + 3_600_000);

describe("given a subscription after an outage", () => {
  it("then a retry in chunks makes every undelivered delivery due once, and nothing else", async () => {
    const { prisma } = t.db;
    const [sub, other] = await Promise.all(
      ["http://127.0.0.1:1/a", "http://127.0.0.1:1/b"].map((url) => prisma.subscription.create({ data: { url, format: "meta", secret: "s" } })),
    );
    // 7 waiting an hour, 2 failed for good, 1 due already, 2 delivered; and 3 of another subscription
    const kinds = ["later", "later", "failed", "later", "due", "delivered", "later", "later", "failed", "delivered", "later", "later"] as const;
    for (const kind of kinds) {
      await prisma.delivery.create({
        data: {
          subscriptionId: sub!.id,
          eventType: "meta",
          body: Buffer.from(kind),
          status: kind === "later" || kind === "due" ? "pending" : kind,
          attempts: 1,
          nextAttemptAt: kind === "later" ? hourFromNow() : kind === "due" ? new Date(Date.now() - 1_000) : null,
        },
      });
    }
    for (let i = 0; i < 3; i++) await prisma.delivery.create({ data: { subscriptionId: other!.id, eventType: "meta", nextAttemptAt: hourFromNow() } });
    const repo = createDeliveryRepository(t.db, "owner");
    const dueBefore = await prisma.delivery.findFirstOrThrow({ where: { subscriptionId: sub!.id, body: Buffer.from("due") } });

    const counts: number[] = [];
    for (let after = 0n; ; ) {
      const chunk = await repo.retryChunk(sub!.id, ["pending", "failed"], after, 4);
      counts.push(chunk.count);
      if (chunk.last === null || chunk.count < 4) break;
      expect(chunk.last).toBeGreaterThan(after);
      after = chunk.last;
    }
    expect(counts).toEqual([4, 4, 2]); // the 10 undelivered ones, each in one chunk

    const mine = await prisma.delivery.findMany({ where: { subscriptionId: sub!.id }, orderBy: { id: "asc" } });
    const now = Date.now();
    for (const [i, d] of mine.entries()) {
      if (kinds[i] === "delivered") expect(d.status).toBe("delivered");
      else {
        expect(d.status).toBe("pending");
        expect(d.nextAttemptAt!.getTime()).toBeLessThanOrEqual(now);
      }
    }
    const due = mine.find((d) => Buffer.from(d.body!).toString() === "due")!;
    expect(due.nextAttemptAt).toEqual(dueBefore.nextAttemptAt); // already due: not written again
    const theirs = await prisma.delivery.findMany({ where: { subscriptionId: other!.id } });
    expect(theirs.every((d) => d.nextAttemptAt!.getTime() > now)).toBe(true);

    // Only the failed ones, when asked for those
    const again = await repo.retryChunk(sub!.id, ["failed"], 0n, 100);
    expect(again.count).toBe(0);
  });
});
