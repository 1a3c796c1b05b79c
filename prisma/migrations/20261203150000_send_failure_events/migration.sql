-- AlterTable
ALTER TABLE "status_events" ADD COLUMN     "message_id" UUID,
ALTER COLUMN "wamid" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "status_events_message_id_idx" ON "status_events"("message_id");
