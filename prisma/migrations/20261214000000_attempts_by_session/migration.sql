-- A session's push deliveries (the console's session page) are found by the session. The feed
-- has no index by session (every index on events is paid by intake), so each attempt records
-- the session of its event (none for encounter-level events and pings), indexed here.
ALTER TABLE "subscription_attempts" ADD COLUMN "session_id" TEXT;
CREATE INDEX "subscription_attempts_session_id_attempted_at_idx" ON "subscription_attempts"("session_id", "attempted_at");
