-- DropIndex
DROP INDEX "webhook_deliveries_endpoint_id_leased_until_idx";
