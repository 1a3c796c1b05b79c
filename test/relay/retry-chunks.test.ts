// A retry of a whole subscription walks its deliveries in keyset chunks (each delivered from
// as soon as it is written): every undelivered one is made due exactly once, those already due
// are counted but not written again, delivered ones and other subscriptions are left alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Delivery } from "../../src/generated/prisma/client.ts";
import { createDeliveryRepository } from "../../src/relay/delivery-repository.ts";
import { createRelayService } from "../../src/relay/service.ts";
import { createSubscriptionRepository } from "../../src/relay/subscription-repository.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const hourFromNow = () => new Date(Date.now() + 3_600_000);
type Kind = "later" | "failed" | "due" | "delivered";

/** A subscription with one delivery of each kind given, in that order; and its service, in chunks of 4. */
async function outage(kinds: Kind[]) {
  const { prisma } = t.db;
  const sub = await prisma.subscription.create({ data: { url: "http://127.0.0.1:1/hook", format: "meta", secret: "s" } });
  for (const kind of kinds) {
    await prisma.delivery.create({
      data: {
        subscriptionId: sub.id,
        eventType: "meta",
        status: kind === "later" || kind === "due" ? "pending" : kind,
        attempts: 1,
        nextAttemptAt: kind === "later" ? hourFromNow() : kind === "due" ? new Date(Date.now() - 1_000) : null,
      },
    });
  }
  let woken = 0;
  const service = createRelayService({
    subscriptions: createSubscriptionRepository(t.db),
    deliveries: createDeliveryRepository(t.db, "owner"),
    onDue: () => void (woken += 1),
    retryChunk: 4,
  });
  const list = () => prisma.delivery.findMany({ where: { subscriptionId: sub.id }, orderBy: { id: "asc" } });
  return { sub, service, list, woken: () => woken };
}

const isDue = (d: Delivery) => d.status === "pending" && d.nextAttemptAt!.getTime() <= Date.now();

describe("given a subscription after an outage", () => {
  it("then a retry in chunks makes every undelivered delivery due once, and nothing else", async () => {
    const kinds: Kind[] = ["later", "later", "failed", "later", "due", "delivered", "later", "later", "failed", "delivered", "later", "later"];
    const other = await outage(["later", "later", "later"]);
    const o = await outage(kinds);
    const dueBefore = (await o.list())[4]!;

    expect(await o.service.retryAll(o.sub.id, undefined)).toEqual({ retried: 10 });
    expect(o.woken()).toBe(3); // chunks of 4, 4 and 2

    const after = await o.list();
    after.forEach((d, i) => expect(kinds[i] === "delivered" ? d.status === "delivered" : isDue(d)).toBe(true));
    expect(after[4]!.nextAttemptAt).toEqual(dueBefore.nextAttemptAt); // already due: not written again
    expect((await other.list()).some(isDue)).toBe(false);

    expect(await o.service.retryAll(o.sub.id, "failed")).toEqual({ retried: 0 }); // none is failed now
  });

  it("then a backlog of exactly two chunks is retried whole, and one without deliveries retries none", async () => {
    const o = await outage(Array<Kind>(8).fill("later"));
    expect(await o.service.retryAll(o.sub.id, "pending")).toEqual({ retried: 8 });
    expect((await o.list()).every(isDue)).toBe(true);
    expect(o.woken()).toBe(2);

    const empty = await outage([]);
    expect(await empty.service.retryAll(empty.sub.id, undefined)).toEqual({ retried: 0 });
    expect(empty.woken()).toBe(0);
  });
});
