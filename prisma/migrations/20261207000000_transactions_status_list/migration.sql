-- The transaction list filtered by status (and a date range), newest first, for one merchant: an ordered range
-- scan cut by the page's LIMIT, however many of the merchant's other transactions there are (bench:growth, #19.3).
-- Without it, a rare status meant reading the merchant's newest rows until enough matched.
CREATE INDEX "transactions_merchant_id_status_created_at_id_idx" ON "transactions"("merchant_id", "status", "created_at" DESC, "id" DESC);
