-- CreateIndex
CREATE INDEX "messages_phone_direction_created_idx" ON "messages"("phone_number_id", "direction", "created_at" DESC, "id" DESC);
