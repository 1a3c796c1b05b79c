// The ranks in TypeScript and in Postgres are one definition: the MessageStatus enum's order.
import { describe, expect, it } from "vitest";
import { MessageStatus } from "../../src/generated/prisma/enums.ts";
import { EVENT_ORDER, reached, STATUS_RANK } from "../../src/messages/status.ts";

describe("the status ranks", () => {
  it("then STATUS_RANK is the MessageStatus enum in its declared order (Postgres compares by it)", () => {
    expect(Object.values(MessageStatus)).toEqual([...STATUS_RANK]);
  });

  it("then `reached` never counts failed, and the event order ends with deleted", () => {
    expect(reached("sent")).toEqual(["sent", "delivered", "read", "played"]);
    expect(reached("read")).toEqual(["read", "played"]);
    expect(EVENT_ORDER).toEqual(["accepted", "sent", "failed", "delivered", "read", "played", "deleted"]);
  });
});
