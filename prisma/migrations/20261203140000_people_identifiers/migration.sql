-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "parent_user_id" TEXT,
ADD COLUMN     "user_id" TEXT,
ADD COLUMN     "username" TEXT;

-- CreateTable
CREATE TABLE "identity_links" (
    "a" TEXT NOT NULL,
    "b" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identity_links_pkey" PRIMARY KEY ("a","b")
);

-- CreateIndex
CREATE INDEX "messages_user_id_created_idx" ON "messages"("user_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_parent_user_id_created_idx" ON "messages"("parent_user_id", "created_at" DESC, "id" DESC);
