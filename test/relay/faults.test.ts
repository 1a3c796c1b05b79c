// The relay when its database fails under it: an outcome that could not be stored, leases
// that cannot be renewed. Nothing is lost: what was not recorded is attempted again (the
// backend may see it twice, under the same delivery id), and nothing is attempted while the
// process is not sure to hold the subscription. Real Postgres (or PGlite) and a real receiver;
// the repository's calls fail as a dropped connection would make them.
import { afterEach, describe, expect, it } from "vitest";
import { createDeliveryRepository, type DeliveryRepository } from "../../src/relay/delivery-repository.ts";
import { createRelayWorker, type RelayWorker } from "../../src/relay/worker.ts";
import { phoneNumberId, startTestApp, type TestApp } from "../helpers/test-app.ts";
import { deliveriesOf, newWamid, receivers, settled, subscribe } from "../helpers/relay.ts";
import { postWebhook, status, statusesPayload } from "../helpers/webhooks.ts";
import { until } from "../helpers/wait.ts";

const pool = receivers();
let t: TestApp | undefined;
let worker: RelayWorker | undefined;
afterEach(async () => {
  await worker?.stop();
  await t?.close();
  await pool.closeAll();
  worker = t = undefined;
});

/** A relay worker on `t`'s database whose repository fails as told. */
function faultyWorker(app: TestApp, faults: { records: number; leaseDown: boolean; leaseCalls: number }) {
  const lost = () => new Error("Connection terminated unexpectedly");
  return createRelayWorker({
    log: app.deps.log,
    pollMs: 50,
    repo: (owner): DeliveryRepository => {
      const real = createDeliveryRepository(app.db, owner);
      return {
        ...real,
        record: async (...args) => {
          if (faults.records > 0) {
            faults.records -= 1;
            throw lost();
          }
          return real.record(...args);
        },
        lease: async (ms) => {
          faults.leaseCalls += 1;
          if (faults.leaseDown) throw lost();
          return real.lease(ms);
        },
      };
    },
  });
}

const post = (app: TestApp, phone: string) =>
  postWebhook(app, statusesPayload(phone, [status({ wamid: newWamid(), status: "sent", at: Math.floor(Date.now() / 1000) })]));

describe("given an attempt whose outcome cannot be stored", () => {
  it("then the delivery is attempted again under the same id, and its outcome is stored once the database answers", async () => {
    t = await startTestApp(); // a database of its own: no other worker leases its subscription
    const faults = { records: 1, leaseDown: false, leaseCalls: 0 };
    worker = faultyWorker(t, faults);
    const rx = await pool.start();
    const phone = phoneNumberId();
    const sub = await subscribe(t, { url: rx.url, format: "meta", phoneNumberIds: [phone] });
    await worker.start();
    expect((await post(t, phone)).status).toBe(200);
    const [d] = await settled(t, sub.id, 1);
    expect(faults.records).toBe(0);
    expect(d).toMatchObject({ status: "delivered", attempts: 1, lastResponseStatus: 200 });
    expect(rx.delivered.map((r) => r.headers["x-ticks-delivery-id"])).toEqual([d!.id, d!.id]);
  });
});

describe("given leases that cannot be renewed", () => {
  it("then nothing is attempted while they are not sure, and what was queued meanwhile goes out once they are renewed", async () => {
    t = await startTestApp();
    const faults = { records: 0, leaseDown: true, leaseCalls: 0 };
    worker = faultyWorker(t, faults);
    const rx = await pool.start();
    const phone = phoneNumberId();
    const sub = await subscribe(t, { url: rx.url, format: "meta", phoneNumberIds: [phone] });
    await worker.start();
    expect((await post(t, phone)).status).toBe(200);
    await until(async () => faults.leaseCalls, (n) => n >= 3); // renewals tried (every second) and failed
    expect(rx.all).toHaveLength(0);
    expect((await deliveriesOf(t, sub.id))[0]).toMatchObject({ status: "pending", attempts: 0 });
    faults.leaseDown = false;
    expect((await settled(t, sub.id, 1))[0]).toMatchObject({ status: "delivered", attempts: 1 });
    expect(rx.delivered).toHaveLength(1);
  });
});
