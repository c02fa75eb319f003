-- An endpoint Paystream disables is an event of the merchant's stream (docs/WEBHOOKS.md): a new kind, next to the
-- status changes and refund steps, attached to the transaction whose delivery was being attempted.
-- AlterEnum
ALTER TYPE "TransactionEventKind" ADD VALUE 'WEBHOOK_ENDPOINT_DISABLED';

-- AlterTable
ALTER TABLE "transaction_events" ADD COLUMN "webhook_endpoint_id" UUID;

-- AddForeignKey
ALTER TABLE "transaction_events" ADD CONSTRAINT "transaction_events_webhook_endpoint_id_fkey" FOREIGN KEY ("webhook_endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The merchant's other endpoints that asked for the kind get it as `webhook_endpoint.disabled`.
CREATE OR REPLACE FUNCTION "webhook_enqueue_deliveries"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "webhook_deliveries" ("id", "endpoint_id", "merchant_id", "event_id", "type", "webhook_id")
  SELECT gen_random_uuid(), e."id", n."merchant_id", n."id",
         CASE n."kind"::text
           WHEN 'STATUS_CHANGED' THEN 'transaction.' || lower(n."status"::text)
           WHEN 'WEBHOOK_ENDPOINT_DISABLED' THEN 'webhook_endpoint.disabled'
           ELSE 'refund.' || lower(substr(n."kind"::text, 8))
         END,
         rtrim(translate(encode(convert_to('ev1:' || n."txid" || ':' || n."id", 'UTF8'), 'base64'), '+/', '-_'), '=')
  FROM inserted AS n
  JOIN "webhook_endpoints" AS e ON e."merchant_id" = n."merchant_id" AND e."enabled"
  WHERE n."kind" = ANY (e."kinds")
    AND (n."kind" <> 'STATUS_CHANGED' OR cardinality(e."statuses") = 0 OR n."status" = ANY (e."statuses"));
  RETURN NULL;
END;
$$;
