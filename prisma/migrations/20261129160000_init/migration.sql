-- CreateEnum
CREATE TYPE "Direction" AS ENUM ('outbound', 'inbound');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('received', 'pending', 'accepted', 'sent', 'failed', 'delivered', 'read', 'played');

-- CreateTable
CREATE TABLE "messages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "wamid" TEXT,
    "direction" "Direction" NOT NULL,
    "phone_number_id" TEXT NOT NULL,
    "wa_id" TEXT,
    "to" TEXT,
    "from" TEXT,
    "contact_name" TEXT,
    "type" TEXT,
    "payload" JSONB,
    "status" "MessageStatus" NOT NULL,
    "failure_reason" TEXT,
    "graph_version" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deadline_at" TIMESTAMPTZ(3),
    "accepted_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "read_at" TIMESTAMPTZ(3),
    "played_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "marked_read_at" TIMESTAMPTZ(3),
    "errors" JSONB,
    "pricing" JSONB,
    "conversation" JSONB,
    "biz_opaque_callback_data" TEXT,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "status_events" (
    "id" BIGSERIAL NOT NULL,
    "wamid" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "recipient_id" TEXT,
    "errors" JSONB,
    "pricing" JSONB,
    "conversation" JSONB,
    "biz_opaque_callback_data" TEXT,
    "raw" JSONB,

    CONSTRAINT "status_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "unprocessed_webhook_items" (
    "id" BIGSERIAL NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT NOT NULL,
    "item" JSONB NOT NULL,
    "item_hash" TEXT NOT NULL,

    CONSTRAINT "unprocessed_webhook_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "read_receipts" (
    "id" BIGSERIAL NOT NULL,
    "message_id" UUID NOT NULL,
    "wamid" TEXT NOT NULL,
    "phone_number_id" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "give_up_at" TIMESTAMPTZ(3) NOT NULL,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMPTZ(3),
    "gave_up_at" TIMESTAMPTZ(3),

    CONSTRAINT "read_receipts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "messages_wamid_key" ON "messages"("wamid");

-- CreateIndex
CREATE INDEX "messages_created_idx" ON "messages"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_status_created_idx" ON "messages"("status", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_wa_id_created_idx" ON "messages"("wa_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_phone_created_idx" ON "messages"("phone_number_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_deadline_idx" ON "messages"("deadline_at");

-- CreateIndex
CREATE UNIQUE INDEX "status_events_wamid_status_key" ON "status_events"("wamid", "status");

-- CreateIndex
CREATE UNIQUE INDEX "unprocessed_webhook_items_item_hash_key" ON "unprocessed_webhook_items"("item_hash");

-- CreateIndex
CREATE UNIQUE INDEX "read_receipts_message_id_key" ON "read_receipts"("message_id");

-- CreateIndex
CREATE INDEX "read_receipts_due_idx" ON "read_receipts"("done_at", "gave_up_at", "next_attempt_at");
