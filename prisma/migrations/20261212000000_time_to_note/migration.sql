-- The note first. The retrieval worker claims due artifacts by priority, which is the order of
-- the ArtifactKind enum (contents, encounter_content, structured_data, encounter_structured_data,
-- transcripts, then status), and first in, first out within a kind. This index serves that claim
-- as one ordered scan (status = 'pending', then kind, next_attempt_at, id), and everything the
-- (status, next_attempt_at) index it replaces served: its leading column is still status, so
-- failed artifacts and the pending backlog are found as before, with no extra index to write.
DROP INDEX "artifacts_status_next_attempt_at_idx";
CREATE INDEX "artifacts_status_kind_next_attempt_at_id_idx" ON "artifacts"("status", "kind", "next_attempt_at", "id");

-- One circuit breaker for every replica (src/retrieval/suki-breaker.ts): while open, nothing is
-- claimed but one probe at a time across the cluster (probe_until is its lease), and a
-- Retry-After from Suki pauses every replica's calls until paused_until. One row.
CREATE TABLE "suki_breaker" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "open" BOOLEAN NOT NULL DEFAULT false,
    "failed_probes" INTEGER NOT NULL DEFAULT 0,
    "probe_at" TIMESTAMPTZ(3),
    "probe_until" TIMESTAMPTZ(3),
    "paused_until" TIMESTAMPTZ(3),
    "opened_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suki_breaker_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "suki_breaker_one_row" CHECK ("id" = 1)
);

INSERT INTO "suki_breaker" ("id") VALUES (1);
