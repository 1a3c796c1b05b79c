// The accepted write (src/messages/repository.ts), at the level of its SQL.
// It runs on every send. It must find its pending rows by primary key
// however many messages are stored and however many dead pending rows wait for vacuum:
// it once hash-joined a sequential scan of the whole table, then read the wamid index's
// NULL entries (one per dead pending row), and cost 7 ms a batch after 30,000 sends.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.ts";
import { createSendRepository, type AcceptedRow, type PendingRow, type SendWrite } from "../../src/messages/repository.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db.ts";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

/** Each read of `messages` in the plan (CTEs included): its node type and the indexes it uses. */
function readsOfMessages(node: PlanNode, out: { type: string; indexes: string[] }[] = []): { type: string; indexes: string[] }[] {
  if (node["Relation Name"] === "messages" && node["Node Type"].includes("Scan")) {
    const indexes: string[] = [];
    const walk = (n: PlanNode) => {
      if (n["Index Name"]) indexes.push(n["Index Name"]);
      n.Plans?.forEach(walk);
    };
    walk(node);
    out.push({ type: node["Node Type"], indexes });
  }
  for (const child of node.Plans ?? []) readsOfMessages(child, out);
  return out;
}

const pendingRow = (id: string) => ({
  id,
  createdAt: new Date(),
  phoneNumberId: "106540352242922",
  to: "16505551234",
  recipient: null,
  type: "text",
  payload: { messaging_product: "whatsapp", to: "16505551234", type: "text", text: { body: "hi" } },
  graphVersion: "v24.0",
  deadlineAt: new Date(Date.now() + 60_000),
});
const asPending = (rows: PendingRow[]): SendWrite[] => rows.map((pending) => ({ pending }));

/** The statement the send repository makes of these writes, recorded instead of run. */
async function statementOf(writes: SendWrite[]): Promise<{ name: string | undefined; text: string; values: unknown[] }> {
  const made: { name: string | undefined; text: string; values: unknown[] }[] = [];
  const recording = { execute: async (text: string, values: unknown[], name?: string) => (made.push({ name, text, values }), 0) };
  await createSendRepository(recording as unknown as Database).write(writes);
  expect(made).toHaveLength(1);
  return made[0]!;
}
const asAccepted = (rows: AcceptedRow[]): SendWrite[] => rows.map((accepted) => ({ accepted }));
const accepted = (id: string): AcceptedRow => ({ id, wamid: `wamid.${id}`, waId: "16505551234", userId: null, acceptedAt: new Date() });

describe("the accepted write's plan", () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase();
    const repo = createSendRepository(t.db);
    // 4,000 sends stored and accepted: 4,000 dead pending rows behind them, stats up to date.
    for (let batch = 0; batch < 8; batch++) {
      const ids = Array.from({ length: 500 }, () => randomUUID());
      await repo.write(asPending(ids.map(pendingRow)));
      await repo.write(asAccepted(ids.map(accepted)));
    }
    await t.db.prisma.$executeRawUnsafe("ANALYZE messages");
  }, 120_000);
  afterAll(() => t.drop());

  it.each([
    ["alone", (ids: string[]) => statementOf(asAccepted(ids.map(accepted)))],
    ["with new pending rows in the same statement", (ids: string[]) => statementOf([...asPending([pendingRow(randomUUID())]), ...asAccepted(ids.map(accepted))])],
  ])("reads messages through the primary key only (%s)", async (_name, build) => {
    const ids = Array.from({ length: 3 }, () => randomUUID());
    await createSendRepository(t.db).write(asPending(ids.map(pendingRow)));
    const q = await build(ids);
    const rows = await t.db.prisma.$queryRawUnsafe<{ "QUERY PLAN": unknown }[]>(`EXPLAIN (FORMAT JSON) ${q.text}`, ...q.values);
    const raw = rows[0]!["QUERY PLAN"];
    const plan = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
    const reads = readsOfMessages(plan[0]!.Plan);
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) expect(read).toEqual({ type: expect.not.stringMatching(/Seq Scan/), indexes: ["messages_pkey"] });
  });

  it("still moves exactly the rows it is given", async () => {
    const ids = Array.from({ length: 3 }, () => randomUUID());
    const repo = createSendRepository(t.db);
    await repo.write(asPending(ids.map(pendingRow)));
    await repo.write(asAccepted(ids.map(accepted)));
    const stored = await t.db.prisma.$queryRawUnsafe<{ id: string; wamid: string; status: string }[]>(
      `SELECT id::text, wamid, status::text FROM messages WHERE id = ANY($1::uuid[]) ORDER BY wamid`,
      `{${ids.join(",")}}`,
    );
    expect(stored).toEqual(ids.map((id) => ({ id, wamid: `wamid.${id}`, status: "accepted" })).sort((a, b) => a.wamid.localeCompare(b.wamid)));
  });

  it("stores new pending rows and accepts earlier ones in one statement", async () => {
    const repo = createSendRepository(t.db);
    const earlier = Array.from({ length: 2 }, () => randomUUID());
    const fresh = Array.from({ length: 3 }, () => randomUUID());
    await repo.write(asPending(earlier.map(pendingRow)));
    await repo.write([...fresh.map((id) => ({ pending: pendingRow(id) })), ...earlier.map((id) => ({ accepted: accepted(id) }))]);
    const stored = await t.db.prisma.message.findMany({ where: { id: { in: [...earlier, ...fresh] } }, select: { id: true, wamid: true, status: true } });
    const expected = new Map<string, unknown>([
      ...earlier.map((id): [string, unknown] => [id, { id, wamid: `wamid.${id}`, status: "accepted" }]),
      ...fresh.map((id): [string, unknown] => [id, { id, wamid: null, status: "pending" }]),
    ]);
    expect(new Map(stored.map((m) => [m.id, m]))).toEqual(expected);
    const events = await t.db.prisma.statusEvent.findMany({ where: { wamid: { in: earlier.map((id) => `wamid.${id}`) } } });
    expect(events.map((e) => e.status)).toEqual(["accepted", "accepted"]);
  });

  it("wins over the pending sweep when Meta's answer is recorded late (the database was down)", async () => {
    const id = randomUUID();
    const repo = createSendRepository(t.db);
    await repo.write(asPending([{ ...pendingRow(id), deadlineAt: new Date(Date.now() - 1) }]));
    expect(await repo.failExpiredPending()).toBeGreaterThanOrEqual(1);
    await repo.write(asAccepted([accepted(id)]));
    expect(await t.db.prisma.message.findUniqueOrThrow({ where: { id } })).toMatchObject({
      wamid: `wamid.${id}`,
      status: "accepted",
      failedAt: null,
      failureReason: null,
      errors: null,
    });
  });
});

describe("Meta's rejection recorded late (the database was down)", () => {
  let t: TestDatabase;
  beforeAll(async () => void (t = await createTestDatabase()));
  afterAll(() => t.drop());

  it("replaces the sweep's unconfirmed with Meta's error", async () => {
    const id = randomUUID();
    const repo = createSendRepository(t.db);
    await repo.write(asPending([{ ...pendingRow(id), deadlineAt: new Date(Date.now() - 1) }]));
    expect(await repo.failExpiredPending()).toBeGreaterThanOrEqual(1);
    const metaError = { code: 131026, title: "Message undeliverable", message: "Message undeliverable" };
    await repo.markRejected(id, metaError);
    expect(await t.db.prisma.message.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "failed",
      failureReason: "rejected",
      errors: [metaError],
    });
  });

  it("never touches a message Meta accepted", async () => {
    const id = randomUUID();
    const repo = createSendRepository(t.db);
    await repo.write(asPending([pendingRow(id)]));
    await repo.write(asAccepted([accepted(id)]));
    await repo.markRejected(id, { code: 131026 });
    expect(await t.db.prisma.message.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "accepted", failureReason: null });
  });
});

// Database.execute prepares each named statement once per connection, so a name must always
// carry the same SQL text: the rows travel as parameters, never in the text.
describe("the send path's statements", () => {
  it.each([
    ["pending rows", (n: number) => statementOf(asPending(ids(n).map(pendingRow)))],
    ["acceptances", (n: number) => statementOf(asAccepted(ids(n).map(accepted)))],
    ["both", (n: number) => statementOf([...asPending(ids(n).map(pendingRow)), ...asAccepted(ids(n + 1).map(accepted))])],
    ["pending rows naming a BSUID too (no links before Meta accepts)", (n: number) => statementOf(asPending(ids(n).map((id, i) => ({ ...pendingRow(id), recipient: `US.${1000 + i}` }))))],
    ["acceptances with Meta's BSUID (with identity links)", (n: number) => statementOf(asAccepted(ids(n).map((id, i) => ({ ...accepted(id), userId: `US.${1000 + i}` }))))],
  ])("the statement of %s has one name and one text whatever its rows", async (_name, build) => {
    const [one, seven] = [await build(1), await build(7)];
    expect(seven.name).toBe(one.name);
    expect(one.name!.endsWith("_links")).toBe(_name.includes("(with identity links)")); // another text, another name
    expect(seven.text).toBe(one.text);
    expect(seven.values).not.toEqual(one.values);
  });
});

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());
