-- Retention (RETENTION_DAYS): note content and raw notification bodies can be purged, which
-- sets them to null and records when; ids, states and timelines stay.

-- AlterTable
ALTER TABLE "deliveries" ALTER COLUMN "raw_body" DROP NOT NULL,
ADD COLUMN     "purged_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "artifacts" ADD COLUMN     "purged_at" TIMESTAMPTZ(3);

-- The access audit: who was served note content, and every admin action and registration.

-- CreateTable
CREATE TABLE "access_audit" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "client" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "session_id" TEXT,
    "encounter_id" TEXT,
    "kind" "ArtifactKind",
    "request_id" TEXT NOT NULL,
    "remote_address" TEXT,

    CONSTRAINT "access_audit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "access_audit_at_id_idx" ON "access_audit"("at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "access_audit_session_id_at_id_idx" ON "access_audit"("session_id", "at" DESC, "id" DESC);

-- The audit is append-only, and the database itself says so: whatever role connects (the
-- service's, an operator's), UPDATE, DELETE and TRUNCATE fail. ENABLE ALWAYS makes the
-- triggers fire even under session_replication_role = replica, which skips ordinary ones.
-- Removing them takes DDL by the table's owner, which a migration would record.
CREATE FUNCTION access_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_audit is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER access_audit_no_update_or_delete BEFORE UPDATE OR DELETE ON "access_audit"
  FOR EACH ROW EXECUTE FUNCTION access_audit_refuse_change();
CREATE TRIGGER access_audit_no_truncate BEFORE TRUNCATE ON "access_audit"
  FOR EACH STATEMENT EXECUTE FUNCTION access_audit_refuse_change();
ALTER TABLE "access_audit" ENABLE ALWAYS TRIGGER access_audit_no_update_or_delete;
ALTER TABLE "access_audit" ENABLE ALWAYS TRIGGER access_audit_no_truncate;
