-- CreateTable
CREATE TABLE "delivery_payloads" (
    "id" BIGINT NOT NULL,
    "body" BYTEA,
    "data" JSONB,

    CONSTRAINT "delivery_payloads_pkey" PRIMARY KEY ("id")
);

-- What the deliveries queued so far send, under their ids. The table is locked first: a process
-- still running the code before this one cannot queue a delivery between the copy and the drop.
LOCK TABLE "deliveries" IN EXCLUSIVE MODE;
INSERT INTO "delivery_payloads" ("id", "body", "data") SELECT "id", "body", "data" FROM "deliveries";

-- AlterTable
ALTER TABLE "deliveries" DROP COLUMN "body",
DROP COLUMN "data";
