-- CreateEnum
CREATE TYPE "RelayFormat" AS ENUM ('meta', 'ticks');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('pending', 'delivered', 'failed');

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "previous_status" "MessageStatus";

-- CreateTable
CREATE TABLE "subscriptions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "url" TEXT NOT NULL,
    "format" "RelayFormat" NOT NULL,
    "events" TEXT[],
    "phone_number_ids" TEXT[],
    "secret" TEXT NOT NULL,
    "description" TEXT,
    "source" TEXT NOT NULL DEFAULT 'api',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "disabled_reason" TEXT,
    "leased_by" TEXT,
    "leased_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deliveries" (
    "id" BIGSERIAL NOT NULL,
    "subscription_id" UUID NOT NULL,
    "event_type" TEXT NOT NULL,
    "order_key" TEXT,
    "body" BYTEA,
    "data" JSONB,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "next_attempt_at" TIMESTAMPTZ(3) DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "last_response_status" INTEGER,
    "last_error" TEXT,

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "relayed_posts" (
    "subscription_id" UUID NOT NULL,
    "hash" TEXT NOT NULL,
    "first_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "relayed_posts_pkey" PRIMARY KEY ("subscription_id","hash")
);

-- CreateIndex
CREATE INDEX "deliveries_due_idx" ON "deliveries"("subscription_id", "next_attempt_at", "id") WHERE (status = 'pending');

-- CreateIndex
CREATE INDEX "deliveries_order_idx" ON "deliveries"("subscription_id", "order_key", "id") WHERE (status = 'pending' AND order_key IS NOT NULL);

-- CreateIndex
CREATE INDEX "deliveries_subscription_idx" ON "deliveries"("subscription_id", "id" DESC);

-- CreateIndex
CREATE INDEX "relayed_posts_first_at_idx" ON "relayed_posts"("first_at");
