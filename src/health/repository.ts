// Data access of the readiness probe.
import type { Database } from "../db/index.ts";

export function createHealthRepository(db: Database) {
  return {
    /** Resolves when the database answers a read of Ticks' own table (rejects otherwise). */
    async ping(): Promise<void> {
      await db.prisma.message.findFirst({ select: { id: true } });
    },
    kind: db.kind,
  };
}

export type HealthRepository = ReturnType<typeof createHealthRepository>;
