-- The audit's request_id is the service's own id for the request: a caller's X-Request-Id could
-- make its requests look like another's. What the caller sent is kept beside it.

-- AlterTable
ALTER TABLE "access_audit" ADD COLUMN "caller_request_id" TEXT;
