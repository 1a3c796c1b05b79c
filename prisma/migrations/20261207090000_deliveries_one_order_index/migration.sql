-- DropIndex
DROP INDEX "deliveries_order_idx";

-- DropIndex
DROP INDEX "deliveries_order_key_idx";

-- CreateIndex
CREATE INDEX "deliveries_order_key_idx" ON "deliveries"("order_key", "subscription_id", "id") WHERE (order_key IS NOT NULL);
