// The relay as a test drives it: subscribing, reading a subscription's deliveries, waiting
// until they are settled, and receivers closed after each test.
import { expect } from "vitest";
import { startReceiver, type Receiver } from "./receiver.ts";
import { auth, type TestApp } from "./test-app.ts";
import { until } from "./wait.ts";

export interface DeliveryView {
  id: string;
  status: string;
  attempts: number;
  eventType: string;
  lastResponseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

/** POST /api/subscriptions, expecting 201. */
export async function subscribe(t: TestApp, body: Record<string, unknown>) {
  const res = await t.http.post("/api/subscriptions").set(auth).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; secret: string };
}

/** A subscription's deliveries, newest first. */
export async function deliveriesOf(t: TestApp, id: string, query = ""): Promise<DeliveryView[]> {
  const res = await t.http.get(`/api/subscriptions/${id}/deliveries${query}`).set(auth);
  expect(res.status).toBe(200);
  return res.body.data;
}

/** Resolves once the subscription has at least `n` deliveries and none is pending. */
export const settled = (t: TestApp, id: string, n = 1) =>
  until(() => deliveriesOf(t, id), (d) => d.length >= n && d.every((x) => x.status !== "pending"), 15_000);

/** Receivers of one test, closed by `closeAll` (call it in afterEach). */
export function receivers() {
  const open: Receiver[] = [];
  return {
    async start() {
      const r = await startReceiver();
      open.push(r);
      return r;
    },
    closeAll: () => Promise.all(open.splice(0).map((r) => r.close())),
  };
}

export const newWamid = () => `wamid.${Math.random().toString(36).slice(2)}`;
