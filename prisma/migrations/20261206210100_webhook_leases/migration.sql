-- CreateIndex
CREATE INDEX "webhook_deliveries_endpoint_id_leased_until_idx" ON "webhook_deliveries"("endpoint_id", "leased_until");
