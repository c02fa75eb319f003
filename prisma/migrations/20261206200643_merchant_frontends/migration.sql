-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "ApiKeyRole" ADD VALUE 'MERCHANT_READ_ONLY';
ALTER TYPE "ApiKeyRole" ADD VALUE 'PUBLISHABLE';

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "publishable_key" TEXT;

-- AlterTable
ALTER TABLE "merchants" ADD COLUMN     "allowed_origins" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "client_secrets" (
    "id" UUID NOT NULL,
    "transaction_id" UUID NOT NULL,
    "merchant_id" UUID NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "client_secrets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "client_secrets_transaction_id_idx" ON "client_secrets"("transaction_id");

-- CreateIndex
CREATE INDEX "client_secrets_merchant_id_idx" ON "client_secrets"("merchant_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_publishable_key_key" ON "api_keys"("publishable_key");

-- AddForeignKey
ALTER TABLE "client_secrets" ADD CONSTRAINT "client_secrets_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "transactions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_secrets" ADD CONSTRAINT "client_secrets_merchant_id_fkey" FOREIGN KEY ("merchant_id") REFERENCES "merchants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
