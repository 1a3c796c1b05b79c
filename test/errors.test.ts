// Which errors mean "the database did not answer, try again" (503, late verdict writes), and
// the one-line start-up messages when the URL itself is malformed.
import { describe, expect, it } from "vitest";
import { causeChain, isDatabaseUnavailable } from "../src/errors.ts";
import { explainStartupFailure } from "../src/startup-errors.ts";

const pg = (code: string) => Object.assign(new Error(`postgres ${code}`), { code });

describe("when an error is classified", () => {
  it.each(["57014", "40P01", "40001", "53300", "57P01", "08006", "ECONNREFUSED"])("then %s, however deeply wrapped, is the database unavailable", (code) => {
    expect(isDatabaseUnavailable(pg(code))).toBe(true);
    expect(isDatabaseUnavailable(new Error("write failed", { cause: new Error("batch", { cause: pg(code) }) }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([new Error("ipv6"), pg(code)], "connect"))).toBe(true);
  });

  it.each(["23505", "42P01", "22P02"])("then %s (a bug or bad data) is not", (code) => {
    expect(isDatabaseUnavailable(pg(code))).toBe(false);
  });

  it("then the chain visits each error once, even with a cycle", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect([...causeChain(b)].map((e) => (e as Error).message)).toEqual(["b", "a"]);
  });
});

describe("when a start fails with a malformed DATABASE_URL", () => {
  it("then the one-line explanation still comes, without the URL's parts", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(explainStartupFailure(refused, { port: 3000, databaseUrl: "postgresql://%zz@[bad" })).toMatch(/^Cannot reach the database in DATABASE_URL: connection refused/);
  });
});
