-- AlterEnum
ALTER TYPE "EventSource" ADD VALUE 'CONSUMER';
