-- CreateIndex
CREATE INDEX "deliveries_order_key_idx" ON "deliveries"("order_key") WHERE (order_key IS NOT NULL);
