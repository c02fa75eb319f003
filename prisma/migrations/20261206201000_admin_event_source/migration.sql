-- AlterEnum
ALTER TYPE "EventSource" ADD VALUE 'ADMIN_API';
