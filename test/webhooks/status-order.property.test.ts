// Any order and any duplication of a message's events gives the same final row and the
// same audit trail (fast-check), sequentially and concurrently, with the send's own
// answer landing anywhere among them. Each event (and the send) names the recipient by
// phone, by BSUID or both: the row keeps every identifier, and the person is found by
// either one once some event showed the two together. A `ticks` relay subscriber (a real
// receiver, served by both processes' delivery loops) sees each change of the message's
// status exactly once: a chain that climbs strictly and ends at the row's status.
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { bsuid } from "../helpers/people.ts";
import { postWebhook, status, statusesPayload, type StatusSpec } from "../helpers/webhooks.ts";
import { startReceiver, type Receiver } from "../helpers/receiver.ts";
import { until } from "../helpers/wait.ts";

let t: TestApp;
let other: TestApp; // a second Ticks on the same database: writers that do not share a batch
let rx: Receiver;
let subscriptionId: string;
beforeAll(async () => {
  t = await startTestApp({ relay: true });
  other = await startTestApp({ testDb: t.testDb, relay: true });
  rx = await startReceiver();
  const sub = await t.http.post("/api/subscriptions").set(auth).send({ url: rx.url, format: "ticks", events: ["message.status.updated"] });
  expect(sub.status).toBe(201);
  subscriptionId = sub.body.id;
});
afterAll(async () => {
  await other.close();
  await t.close();
  await rx.close();
});

const PHONE = "106540352242922";
const T0 = 1_750_000_000;
const RANK = ["accepted", "sent", "failed", "delivered", "read", "played"] as const;
const KINDS = ["sent", "delivered", "read", "failed", "played", "deleted"] as const;
const pricing = { billable: true, pricing_model: "PMP", type: "regular", category: "utility" };

const VARIANTS = ["phone", "bsuid", "both"] as const;
type Variant = (typeof VARIANTS)[number];
type Item = StatusSpec & { ids: Variant };
type Step = { kind: "webhook"; items: Item[] } | { kind: "send" };
interface Person {
  phone: string;
  user: string;
}

/** What the row must be, whatever the order: the contract's rank rules. */
function expected(kinds: Set<string>, viaTicks: boolean) {
  const ranked = [...kinds, ...(viaTicks ? ["accepted"] : [])].filter((k) => k !== "deleted");
  const top = ranked.sort((a, b) => RANK.indexOf(a as never) - RANK.indexOf(b as never)).at(-1);
  const time = (k: string) => (kinds.has(k) ? new Date((T0 + KINDS.indexOf(k as never)) * 1000) : null);
  return {
    status: top,
    sentAt: time("sent"),
    deliveredAt: time("delivered"),
    readAt: time("read"),
    playedAt: time("played"),
    failedAt: time("failed"),
    hasErrors: kinds.has("failed"),
    hasPricing: [...kinds].some((k) => k !== "failed" && k !== "deleted"),
    trail: [...kinds, ...(viaTicks ? ["accepted"] : [])].sort(),
  };
}

const scenario = fc
  .record({
    kinds: fc.subarray([...KINDS], { minLength: 1 }),
    viaTicks: fc.boolean(),
    dupes: fc.array(fc.nat(), { maxLength: 6 }),
    seed: fc.array(fc.nat(), { minLength: 20, maxLength: 20 }),
    groupSizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 12, maxLength: 12 }),
    variants: fc.array(fc.constantFrom(...VARIANTS), { minLength: 12, maxLength: 12 }),
    sendBy: fc.constantFrom(...VARIANTS),
  })
  .map(({ kinds, viaTicks, dupes, seed, groupSizes, variants, sendBy }) => {
    const wamid = `wamid.prop${randomBytes(10).toString("hex")}`;
    const person: Person = { phone: waId(), user: bsuid() };
    let n = 0;
    const item = (k: (typeof KINDS)[number]): Item => ({
      wamid,
      status: k,
      at: T0 + KINDS.indexOf(k),
      extra: k === "failed" || k === "deleted" ? {} : { pricing },
      ids: variants[n++ % variants.length]!,
    });
    const events = [...kinds.map(item), ...dupes.map((d) => item(kinds[d % kinds.length]!))];
    // A deterministic shuffle driven by the generated seed, so fast-check can shrink it.
    const order = events.map((e, i) => ({ e, key: seed[i % seed.length]! * 31 + i })).sort((a, b) => a.key - b.key).map((x) => x.e);
    const steps: Step[] = [];
    for (let i = 0, g = 0; i < order.length; g++) {
      const n = groupSizes[g % groupSizes.length]!;
      steps.push({ kind: "webhook", items: order.slice(i, i + n) });
      i += n;
    }
    if (viaTicks) steps.splice(seed[0]! % (steps.length + 1), 0, { kind: "send" });
    return { wamid, kinds: new Set<string>(kinds), viaTicks, steps, person, sendBy, events };
  });
type Scenario = { wamid: string; kinds: Set<string>; viaTicks: boolean; steps: Step[]; person: Person; sendBy: Variant; events: Item[] };

/** A status item naming the recipient by phone (recipient_id), BSUID (recipient_user_id) or both. */
function statusNaming(i: Item, p: Person) {
  const { recipient_id: _phone, ...item } = status({ ...i, to: p.phone });
  return { ...item, ...(i.ids !== "bsuid" ? { recipient_id: p.phone } : {}), ...(i.ids !== "phone" ? { recipient_user_id: p.user } : {}) };
}

async function run(step: Step, s: Scenario, via = t) {
  const { wamid, person: p, sendBy } = s;
  if (step.kind === "send") {
    const ids = { ...(sendBy !== "bsuid" ? { to: p.phone } : {}), ...(sendBy !== "phone" ? { recipient: p.user } : {}) };
    const contact = sendBy === "bsuid" ? { input: p.user, user_id: p.user } : { input: p.phone, wa_id: p.phone, ...(sendBy === "both" ? { user_id: p.user } : {}) };
    t.emulator.enqueue({ status: 200, body: { messaging_product: "whatsapp", contacts: [contact], messages: [{ id: wamid }] } });
    const res = await t.http.post(`/${PHONE}/messages`).set(auth).send({ messaging_product: "whatsapp", ...ids, type: "text", text: { body: "p" } });
    expect(res.status).toBe(200);
  } else {
    const res = await postWebhook(via, statusesPayload(PHONE, step.items.map((i) => statusNaming(i, p))));
    expect(res.status).toBe(200);
  }
}

/** Which identifiers the row must carry, and which find the person (docs/people.md). */
function identities(s: Scenario) {
  const ranked = s.events.filter((e) => e.status !== "deleted"); // `deleted` changes no row
  const send = s.viaTicks ? [s.sendBy] : [];
  const shows = (v: Variant[], kind: "phone" | "bsuid") => v.some((x) => x === kind || x === "both");
  const hasPhone = shows([...ranked.map((e) => e.ids), ...send], "phone");
  const hasUser = shows([...ranked.map((e) => e.ids), ...send], "bsuid");
  const linked = [...s.events.map((e) => e.ids), ...send].includes("both");
  return { hasPhone, hasUser, byPhone: hasPhone || (linked && hasUser), byUser: hasUser || (linked && hasPhone) };
}

async function conversation(id: string) {
  const res = await t.http.get(`/api/conversations/${id}`).set(auth);
  expect(res.status).toBe(200);
  return res.body.data.map((m: { wamid: string }) => m.wamid);
}

const ORDER = ["received", "pending", "accepted", "sent", "failed", "delivered", "read", "played"];
interface Event { data: { wamid: string; status: string; previousStatus: string | null } }

/** The events the subscriber received about one message, in arrival order (each once). */
async function stream(wamid: string) {
  await until(() => t.db.prisma.delivery.count({ where: { subscriptionId, status: "pending" } }), (n) => n === 0, 15_000);
  const ids = rx.delivered.map((r) => String(r.headers["webhook-id"]));
  expect(new Set(ids).size).toBe(ids.length); // two processes, each event delivered once
  return rx.delivered.map((r) => JSON.parse(r.body.toString()) as Event).filter((e) => e.data.wamid === wamid).map((e) => e.data);
}

async function check(s: Scenario) {
  const want = expected(s.kinds, s.viaTicks);
  const events = await stream(s.wamid);
  expect(events.map((e) => e.status)).toEqual(events.map((e) => e.status).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)));
  for (const e of events) expect(e.status).not.toBe(e.previousStatus); // a change, never a repeat
  events.forEach((e, i) => expect(e.previousStatus).toBe(i === 0 ? (s.viaTicks && e.status === "accepted" ? "pending" : null) : events[i - 1]!.status));
  expect(events.at(-1)?.status).toBe(want.status);
  const rows = await t.db.prisma.message.findMany({ where: { wamid: s.wamid } });
  const trail = await t.db.prisma.statusEvent.findMany({ where: { wamid: s.wamid } });
  expect(trail.map((e) => e.status).sort()).toEqual(want.trail);
  if (want.status === undefined) {
    // Only `deleted`, for a message Ticks never stored: kept in the trail, nothing else.
    expect(rows).toHaveLength(0);
    return;
  }
  expect(rows).toHaveLength(1);
  const row = rows[0]!;
  expect(row).toMatchObject({ status: want.status, sentAt: want.sentAt, deliveredAt: want.deliveredAt, readAt: want.readAt, playedAt: want.playedAt, failedAt: want.failedAt });
  expect(row.type).toBe(s.viaTicks ? "text" : null);
  expect(row.errors !== null).toBe(want.hasErrors);
  expect(row.pricing).toEqual(want.hasPricing ? pricing : null);
  const ids = identities(s);
  expect(row).toMatchObject({ waId: ids.hasPhone ? s.person.phone : null, userId: ids.hasUser ? s.person.user : null });
  expect(await conversation(s.person.phone)).toEqual(ids.byPhone ? [s.wamid] : []);
  expect(await conversation(s.person.user)).toEqual(ids.byUser ? [s.wamid] : []);
}

describe("when a message's events arrive in any order, any number of times", () => {
  it("then, one POST after another, the final row and trail follow the rank rules", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        for (const step of s.steps) await run(step, s);
        await check(s);
      }),
      { numRuns: 40 },
    );
  });

  it("then, with every POST (and the send) in flight at once on two Ticks processes, no update is lost", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(scenario, { minLength: 3, maxLength: 6 }), async (scenarios) => {
        // The emulator answers sends in arrival order, so sends go one at a time, webhooks all at once.
        const sends = scenarios.filter((s) => s.viaTicks);
        const hooks = scenarios.flatMap((s) =>
          s.steps.filter((st) => st.kind === "webhook").map((st, i) => run(st, s, i % 2 ? other : t)),
        );
        await Promise.all([...hooks, (async () => { for (const s of sends) await run({ kind: "send" }, s); })()]);
        for (const s of scenarios) await check(s);
      }),
      { numRuns: 15 },
    );
  });
});
