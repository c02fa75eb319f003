-- CreateTable
CREATE TABLE "transaction_stats_hourly" (
    "merchant_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" "TransactionStatus" NOT NULL,
    "transactions" INTEGER NOT NULL,
    "amount_minor" DECIMAL(40,0) NOT NULL,
    "refunded" INTEGER NOT NULL,
    "refunded_minor" DECIMAL(40,0) NOT NULL,

    CONSTRAINT "transaction_stats_hourly_pkey" PRIMARY KEY ("merchant_id","hour","currency","status")
);

-- CreateTable
CREATE TABLE "transaction_stats_changes" (
    "id" BIGSERIAL NOT NULL,
    "merchant_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" "TransactionStatus" NOT NULL,
    "transactions" INTEGER NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "refunded" INTEGER NOT NULL,
    "refunded_minor" BIGINT NOT NULL,

    CONSTRAINT "transaction_stats_changes_pkey" PRIMARY KEY ("merchant_id","hour","currency","status","id")
);

-- Backfill: the figures of the transactions that exist now, one row per key (in key order, so a merchant's hours
-- lie together). From here on the transition service records every change in transaction_stats_changes.
INSERT INTO "transaction_stats_hourly" ("merchant_id", "hour", "currency", "status", "transactions", "amount_minor", "refunded", "refunded_minor")
SELECT "merchant_id", date_trunc('hour', "created_at", 'UTC'), "currency", "status", count(*), sum("amount_minor"),
       count(*) FILTER (WHERE "refunded_minor" > 0), sum("refunded_minor")
FROM "transactions"
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4;
