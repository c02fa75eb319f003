-- CreateEnum
CREATE TYPE "TransactionStatus" AS ENUM ('CREATED', 'REDIRECTED', 'CAPTURED', 'PAID', 'REJECTED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "PaymentProduct" AS ENUM ('ALIPAY');

-- CreateEnum
CREATE TYPE "EventSource" AS ENUM ('MERCHANT_API', 'PROVIDER_NOTIFICATION', 'SETTLEMENT', 'SYSTEM');

-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('MERCHANT', 'ADMIN');

-- CreateTable
CREATE TABLE "merchants" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "merchants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "merchant_id" UUID,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transactions" (
    "id" UUID NOT NULL,
    "merchant_id" UUID NOT NULL,
    "merchant_reference" TEXT NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "payment_product" "PaymentProduct" NOT NULL DEFAULT 'ALIPAY',
    "status" "TransactionStatus" NOT NULL DEFAULT 'CREATED',
    "redirect_url" TEXT,
    "return_url" TEXT NOT NULL,
    "provider_reference" TEXT,
    "status_reason" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "transactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transaction_events" (
    "id" BIGSERIAL NOT NULL,
    "txid" BIGINT NOT NULL DEFAULT ((pg_current_xact_id())::text)::bigint,
    "transaction_id" UUID NOT NULL,
    "merchant_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "status" "TransactionStatus" NOT NULL,
    "previous_status" "TransactionStatus",
    "source" "EventSource" NOT NULL,
    "reason" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "transaction_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "merchant_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "transaction_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("merchant_id","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_secret_hash_key" ON "api_keys"("secret_hash");

-- CreateIndex
CREATE INDEX "api_keys_merchant_id_idx" ON "api_keys"("merchant_id");

-- CreateIndex
CREATE INDEX "transactions_merchant_id_created_at_id_idx" ON "transactions"("merchant_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "transactions_merchant_id_merchant_reference_idx" ON "transactions"("merchant_id", "merchant_reference");

-- CreateIndex
CREATE INDEX "transactions_status_updated_at_idx" ON "transactions"("status", "updated_at");

-- CreateIndex
CREATE INDEX "transactions_created_at_idx" ON "transactions"("created_at");

-- CreateIndex
CREATE INDEX "transaction_events_txid_id_idx" ON "transaction_events"("txid", "id");

-- CreateIndex
CREATE INDEX "transaction_events_merchant_id_txid_id_idx" ON "transaction_events"("merchant_id", "txid", "id");

-- CreateIndex
CREATE UNIQUE INDEX "transaction_events_transaction_id_sequence_key" ON "transaction_events"("transaction_id", "sequence");

-- CreateIndex
CREATE INDEX "idempotency_records_expires_at_idx" ON "idempotency_records"("expires_at");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_merchant_id_fkey" FOREIGN KEY ("merchant_id") REFERENCES "merchants"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_merchant_id_fkey" FOREIGN KEY ("merchant_id") REFERENCES "merchants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transaction_events" ADD CONSTRAINT "transaction_events_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "transactions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
