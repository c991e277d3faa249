-- Intake writes five artifact rows per success; each index on artifacts is five more writes.
-- One unique (owner_id, kind) index serves every read (a session's or an encounter's artifacts,
-- and one artifact by kind), so the separate session_id and encounter_id indexes go.

-- DropIndex
DROP INDEX "artifacts_session_id_idx";

-- DropIndex
DROP INDEX "artifacts_encounter_id_idx";

-- DropIndex
DROP INDEX "artifacts_kind_owner_id_key";

-- CreateIndex
CREATE UNIQUE INDEX "artifacts_owner_id_kind_key" ON "artifacts"("owner_id", "kind");
