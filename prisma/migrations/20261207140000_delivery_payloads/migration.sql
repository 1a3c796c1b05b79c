-- CreateTable
CREATE TABLE "delivery_payloads" (
    "id" BIGINT NOT NULL,
    "body" BYTEA,
    "data" JSONB,

    CONSTRAINT "delivery_payloads_pkey" PRIMARY KEY ("id")
);

-- What the deliveries queued so far send, under their ids.
INSERT INTO "delivery_payloads" ("id", "body", "data") SELECT "id", "body", "data" FROM "deliveries";

-- AlterTable
ALTER TABLE "deliveries" DROP COLUMN "body",
DROP COLUMN "data";
