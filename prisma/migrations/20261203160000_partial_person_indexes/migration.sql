-- DropIndex
DROP INDEX "messages_parent_user_id_created_idx";

-- DropIndex
DROP INDEX "messages_user_id_created_idx";

-- CreateIndex
CREATE INDEX "messages_user_id_created_idx" ON "messages"("user_id", "created_at" DESC, "id" DESC) WHERE (user_id IS NOT NULL);

-- CreateIndex
CREATE INDEX "messages_parent_user_id_created_idx" ON "messages"("parent_user_id", "created_at" DESC, "id" DESC) WHERE (parent_user_id IS NOT NULL);
