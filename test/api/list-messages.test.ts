import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_RECIPIENTS } from "../../src/sandbox/emulator.ts";
import { until } from "../helpers/wait.ts";
import { auth, phoneNumberId, startTestApp, waId, type TestApp } from "../helpers/test-app.ts";
import { receive, send, statuses } from "../helpers/traffic.ts";

let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(() => t.close());

const list = (query: Record<string, string | number>) => t.http.get("/api/messages").query(query).set(auth);
const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((m) => m.id);

/** One phone number's traffic: 2 read, 1 delivered, 1 failed, 1 rejected, 2 inbound. */
async function traffic() {
  const phone = phoneNumberId();
  const [alice, bob] = [waId(), waId()];
  const out = [];
  for (const to of [alice, alice, bob, bob]) out.push(await send(t, phone, to));
  await statuses(t, phone, out[0]!.wamid!, ["sent", "delivered", "read"]);
  await statuses(t, phone, out[1]!.wamid!, ["sent", "delivered", "read"]);
  await statuses(t, phone, out[2]!.wamid!, ["sent", "delivered"]);
  await statuses(t, phone, out[3]!.wamid!, ["failed"]);
  const rejected = await send(t, phone, TEST_RECIPIENTS.windowClosed);
  const in1 = await receive(t, phone, alice);
  const in2 = await receive(t, phone, bob);
  return { phone, alice, bob, out, rejected, in1, in2 };
}

describe("when a support team filters messages", () => {
  it("then each filter and the combinations they use return exactly the matching messages, newest first", async () => {
    const x = await traffic();
    const all = await list({ phoneNumberId: x.phone });
    expect(all.status).toBe(200);
    expect(all.body.data).toHaveLength(7);
    const created = all.body.data.map((m: { createdAt: string; id: string }) => [m.createdAt, m.id]);
    expect(created).toEqual([...created].sort((a, b) => (a[0] === b[0] ? (b[1] < a[1] ? -1 : 1) : a[0] < b[0] ? 1 : -1)));
    expect(all.body.nextCursor).toBeNull();

    expect((await list({ phoneNumberId: x.phone, direction: "inbound" })).body.data.map((m: { wamid: string }) => m.wamid).sort()).toEqual([x.in1, x.in2].sort());
    expect(ids(await list({ phoneNumberId: x.phone, direction: "outbound" }))).toHaveLength(5);
    expect(ids(await list({ phoneNumberId: x.phone, status: "read" })).sort()).toEqual([x.out[0]!.id, x.out[1]!.id].sort());
    expect(ids(await list({ phoneNumberId: x.phone, status: "failed" })).sort()).toEqual([x.out[3]!.id, x.rejected.id].sort());
    expect(ids(await list({ phoneNumberId: x.phone, to: x.alice })).sort()).toEqual([x.out[0]!.id, x.out[1]!.id].sort());
    expect(ids(await list({ phoneNumberId: x.phone, to: `+${x.bob}`, status: "delivered" }))).toEqual([x.out[2]!.id]);
    expect((await list({ phoneNumberId: x.phone, from: x.bob })).body.data.map((m: { wamid: string }) => m.wamid)).toEqual([x.in2]);
    expect(ids(await list({ to: x.alice, direction: "inbound" }))).toEqual([]);
    expect(ids(await list({ to: x.alice })).sort()).toEqual([x.out[0]!.id, x.out[1]!.id].sort());
  });

  it("then since and until bound the window by createdAt", async () => {
    const phone = phoneNumberId();
    const first = await send(t, phone, waId());
    const firstAt = Date.parse((await t.http.get(`/api/messages/${first.id}`).set(auth)).body.createdAt);
    const middle = new Date(firstAt + 1).toISOString();
    await until(() => Date.now() > firstAt + 1); // the clock has passed the middle: the next send is after it
    const second = await send(t, phone, waId());
    expect(ids(await list({ phoneNumberId: phone, since: middle }))).toEqual([second.id]);
    expect(ids(await list({ phoneNumberId: phone, until: middle }))).toEqual([first.id]);
    expect(ids(await list({ phoneNumberId: phone, since: "2000-01-01T00:00:00Z", until: "2000-01-02T00:00:00+02:00" }))).toEqual([]);
  });
});

describe("when a backend pages through the trail", () => {
  it("then pages of `limit` with an opaque cursor cover every message once, even while new ones arrive", async () => {
    const phone = phoneNumberId();
    const before = [];
    for (let i = 0; i < 11; i++) before.push((await send(t, phone, waId())).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list({ phoneNumberId: phone, limit: 3, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...ids(res));
      cursor = res.body.nextCursor;
      await send(t, phone, waId()); // new traffic between pages lands before the first page
      pages += 1;
    } while (cursor && pages < 20);
    expect(new Set(seen).size).toBe(seen.length); // no duplicates
    expect([...seen].sort()).toEqual([...before].sort()); // no gaps, and nothing newer than the first page
    expect(pages).toBe(4);
  });
});

describe("when the parameters are bad", () => {
  it.each([
    [{ limit: 0 }, "limit"],
    [{ limit: 501 }, "limit"],
    [{ limit: "ten" }, "limit"],
    [{ status: "lost" }, "status"],
    [{ direction: "sideways" }, "direction"],
    [{ since: "yesterday" }, "since"],
    [{ until: "2026-13-01T00:00:00Z" }, "until"],
    [{ cursor: "garbage" }, "cursor"],
    [{ colour: "blue" }, "colour"],
    [{ to: "1", from: "2" }, "to"],
  ])("then %o is a 400 naming %s", async (query, field) => {
    const res = await list(query as Record<string, string>);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("bad_request");
    expect(JSON.stringify(res.body.error.details)).toContain(field);
  });
});
