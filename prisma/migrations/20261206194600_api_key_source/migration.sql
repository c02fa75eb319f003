-- CreateEnum
CREATE TYPE "ApiKeySource" AS ENUM ('BOOTSTRAP', 'ISSUED');

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "source" "ApiKeySource" NOT NULL DEFAULT 'ISSUED';

-- Every ADMIN key so far was registered at start (ADMIN_API_KEY or the embedded database's generated key).
UPDATE "api_keys" SET "source" = 'BOOTSTRAP' WHERE "role" = 'ADMIN';
