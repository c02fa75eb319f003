-- CreateEnum
CREATE TYPE "NotificationSender" AS ENUM ('ALIPAY', 'SIGNED_EVENT');

-- CreateEnum
CREATE TYPE "NotificationOutcome" AS ENUM ('APPLIED', 'DUPLICATE', 'NO_OP', 'STALE', 'ANOMALY', 'IGNORED', 'MALFORMED');

-- CreateEnum
CREATE TYPE "AnomalyKind" AS ENUM ('CAPTURED_AFTER_CANCEL', 'CAPTURED_AFTER_REJECTION', 'ORPHAN', 'AMOUNT_MISMATCH', 'CONFLICTING_STATUS');

-- CreateEnum
CREATE TYPE "AnomalyStatus" AS ENUM ('OPEN', 'RESOLVED');

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "sender" "NotificationSender" NOT NULL,
    "external_id" TEXT,
    "event_type" TEXT,
    "transaction_reference" TEXT,
    "transaction_id" UUID,
    "target_status" "TransactionStatus",
    "amount_minor" BIGINT,
    "currency" CHAR(3),
    "provider_reference" TEXT,
    "outcome" "NotificationOutcome" NOT NULL,
    "detail" TEXT,
    "anomaly_id" UUID,
    "transaction_event_id" BIGINT,
    "content_type" TEXT NOT NULL,
    "raw_body" BYTEA NOT NULL,
    "deliveries" INTEGER NOT NULL DEFAULT 1,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "anomalies" (
    "id" UUID NOT NULL,
    "kind" "AnomalyKind" NOT NULL,
    "status" "AnomalyStatus" NOT NULL DEFAULT 'OPEN',
    "transaction_id" UUID,
    "detail" TEXT NOT NULL,
    "resolution" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "anomalies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_rejections" (
    "sender" "NotificationSender" NOT NULL,
    "reason" TEXT NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_rejections_pkey" PRIMARY KEY ("sender","reason")
);

-- CreateIndex
CREATE UNIQUE INDEX "notifications_transaction_event_id_key" ON "notifications"("transaction_event_id");

-- CreateIndex
CREATE INDEX "notifications_transaction_id_received_at_idx" ON "notifications"("transaction_id", "received_at");

-- CreateIndex
CREATE INDEX "notifications_anomaly_id_idx" ON "notifications"("anomaly_id");

-- CreateIndex
CREATE INDEX "notifications_received_at_idx" ON "notifications"("received_at");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_sender_external_id_key" ON "notifications"("sender", "external_id");

-- CreateIndex
CREATE INDEX "anomalies_status_created_at_idx" ON "anomalies"("status", "created_at");

-- CreateIndex
CREATE INDEX "anomalies_transaction_id_kind_status_idx" ON "anomalies"("transaction_id", "kind", "status");

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "transactions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_anomaly_id_fkey" FOREIGN KEY ("anomaly_id") REFERENCES "anomalies"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_transaction_event_id_fkey" FOREIGN KEY ("transaction_event_id") REFERENCES "transaction_events"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "anomalies" ADD CONSTRAINT "anomalies_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "transactions"("id") ON DELETE SET NULL ON UPDATE CASCADE;
