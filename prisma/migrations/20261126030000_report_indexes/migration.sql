-- CreateIndex
CREATE INDEX "transaction_events_status_occurred_at_idx" ON "transaction_events"("status", "occurred_at");

-- CreateIndex
CREATE INDEX "transaction_events_merchant_id_status_occurred_at_idx" ON "transaction_events"("merchant_id", "status", "occurred_at");
