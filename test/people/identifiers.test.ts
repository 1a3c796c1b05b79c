// The forms of a person's identifiers, and the links a batch asks for.
import { describe, expect, it } from "vitest";
import { identityLinks, KnownLinks, personKey } from "../../src/people/identifiers.ts";

describe("when a caller names a person", () => {
  it.each([
    ["+1 (650) 555-1234", "16505551234"],
    ["16505551234", "16505551234"],
    ["US.13491208655302741918", "US.13491208655302741918"],
    ["BR.1502576394655843", "BR.1502576394655843"],
    ["US.ENT.11815799212886844830", "US.ENT.11815799212886844830"],
  ])("then %s is the person %s", (input, key) => expect(personKey(input)).toBe(key));

  it.each(["bob", "US.", "US.ENT.", "USA.123", "U.123", "US.12-34", `US.${"1".repeat(129)}`, "12"])("then %s is no identifier", (input) =>
    expect(personKey(input)).toBeUndefined(),
  );
});

describe("when a batch shows identifiers together", () => {
  it("then each group is linked both ways around its first identifier, once, in key order", () => {
    expect(identityLinks([["1650", "US.1", null, "US.ENT.1"], ["US.1", "1650"], ["1999"], [null, undefined]])).toEqual([
      { a: "1650", b: "US.1" },
      { a: "1650", b: "US.ENT.1" },
      { a: "US.1", b: "1650" },
      { a: "US.ENT.1", b: "1650" },
    ]);
  });

  it("then a group repeating its first identifier links nothing to itself", () => {
    expect(identityLinks([["1650", "1650", "US.1", "US.1"]])).toEqual([
      { a: "1650", b: "US.1" },
      { a: "US.1", b: "1650" },
    ]);
  });

  it("then links this process already stored are left out, and forgotten oldest first past the bound", () => {
    const known = new KnownLinks(2);
    known.remember([{ a: "1650", b: "US.1" }, { a: "US.1", b: "1650" }]);
    expect(identityLinks([["1650", "US.1"], ["1999", "US.2"]], known)).toEqual([
      { a: "1999", b: "US.2" },
      { a: "US.2", b: "1999" },
    ]);
    known.remember([{ a: "1999", b: "US.2" }]);
    expect(identityLinks([["1650", "US.1"]], known)).toEqual([{ a: "1650", b: "US.1" }]);
  });
});
