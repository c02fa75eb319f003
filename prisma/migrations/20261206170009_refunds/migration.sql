-- CreateEnum
CREATE TYPE "TransactionEventKind" AS ENUM ('STATUS_CHANGED', 'REFUND_REQUESTED', 'REFUND_SUCCEEDED', 'REFUND_FAILED');

-- CreateEnum
CREATE TYPE "RefundStatus" AS ENUM ('REQUESTED', 'SUCCEEDED', 'FAILED');

-- AlterTable
ALTER TABLE "anomalies" ADD COLUMN     "refund_id" UUID;

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "refund_id" UUID,
ADD COLUMN     "refund_reference" TEXT;

-- AlterTable
ALTER TABLE "transaction_events" ADD COLUMN     "kind" "TransactionEventKind" NOT NULL DEFAULT 'STATUS_CHANGED',
ADD COLUMN     "refund_id" UUID;

-- AlterTable
ALTER TABLE "transactions" ADD COLUMN     "refund_pending_minor" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "refunded_minor" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "refunds" (
    "id" UUID NOT NULL,
    "transaction_id" UUID NOT NULL,
    "merchant_id" UUID NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "status" "RefundStatus" NOT NULL DEFAULT 'REQUESTED',
    "source" "EventSource" NOT NULL,
    "provider_reference" TEXT,
    "failure_code" TEXT,
    "idempotency_key" TEXT,
    "request_hash" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "accepted_at" TIMESTAMPTZ(3),
    "next_attempt_at" TIMESTAMPTZ(3),
    "last_attempt_error" TEXT,
    "stuck_at" TIMESTAMPTZ(3),
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refunds_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "refunds_transaction_id_requested_at_idx" ON "refunds"("transaction_id", "requested_at");

-- CreateIndex
CREATE INDEX "refunds_status_next_attempt_at_idx" ON "refunds"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "refunds_requested_at_idx" ON "refunds"("requested_at");

-- CreateIndex
CREATE INDEX "refunds_merchant_id_requested_at_idx" ON "refunds"("merchant_id", "requested_at");

-- CreateIndex
CREATE INDEX "refunds_completed_at_idx" ON "refunds"("completed_at");

-- CreateIndex
CREATE INDEX "refunds_merchant_id_completed_at_idx" ON "refunds"("merchant_id", "completed_at");

-- CreateIndex
CREATE UNIQUE INDEX "refunds_merchant_id_idempotency_key_key" ON "refunds"("merchant_id", "idempotency_key");

-- AddForeignKey
ALTER TABLE "transaction_events" ADD CONSTRAINT "transaction_events_refund_id_fkey" FOREIGN KEY ("refund_id") REFERENCES "refunds"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_refund_id_fkey" FOREIGN KEY ("refund_id") REFERENCES "refunds"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "anomalies" ADD CONSTRAINT "anomalies_refund_id_fkey" FOREIGN KEY ("refund_id") REFERENCES "refunds"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "transactions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
