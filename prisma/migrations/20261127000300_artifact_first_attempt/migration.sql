-- Retries are bounded in time (SUKI_FETCH_RETRY_HORIZON_MS), not in attempts: the horizon runs
-- from the first attempt of the current request. A claim sets it when the artifact has no
-- attempt yet (attempts = 0, which intake's re-request and an operator's retry both reset), so
-- neither intake nor this migration needs to rewrite existing rows: a row still pending from
-- before gets its horizon from its next attempt.

-- AlterTable
ALTER TABLE "artifacts" ADD COLUMN "first_attempt_at" TIMESTAMPTZ(3);
