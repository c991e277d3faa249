-- CreateEnum
CREATE TYPE "SessionStatus" AS ENUM ('pending', 'completed', 'failed', 'timed_out', 'cancelled', 'skipped');

-- CreateEnum
CREATE TYPE "DeliveryOutcome" AS ENUM ('applied', 'duplicate', 'stale', 'unrecognized', 'rejected');

-- CreateEnum
CREATE TYPE "ArtifactKind" AS ENUM ('contents', 'encounter_content', 'structured_data', 'encounter_structured_data', 'transcripts', 'status');

-- CreateEnum
CREATE TYPE "ArtifactStatus" AS ENUM ('pending', 'ready', 'failed');

-- CreateTable
CREATE TABLE "encounters" (
    "id" TEXT NOT NULL,
    "status" "SessionStatus" NOT NULL DEFAULT 'pending',
    "last_event_at" TIMESTAMPTZ(3),
    "last_arrival" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "encounters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "encounter_id" TEXT NOT NULL,
    "status" "SessionStatus" NOT NULL DEFAULT 'pending',
    "vendor_status" TEXT,
    "error_code" TEXT,
    "error_detail" TEXT,
    "additional_info" JSONB,
    "links" JSONB,
    "last_event_at" TIMESTAMPTZ(3),
    "last_delivery_id" BIGINT,
    "last_arrival" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deliveries" (
    "id" BIGSERIAL NOT NULL,
    "session_id" TEXT,
    "encounter_id" TEXT,
    "generated_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "vendor_status" TEXT,
    "outcome" "DeliveryOutcome" NOT NULL,
    "reject_reason" TEXT,
    "raw_body" BYTEA NOT NULL,
    "body_sha256" BYTEA NOT NULL,

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "artifacts" (
    "id" BIGSERIAL NOT NULL,
    "kind" "ArtifactKind" NOT NULL,
    "owner_id" TEXT NOT NULL,
    "session_id" TEXT,
    "encounter_id" TEXT NOT NULL,
    "status" "ArtifactStatus" NOT NULL DEFAULT 'pending',
    "href" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "generation" INTEGER NOT NULL DEFAULT 1,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "fetched_at" TIMESTAMPTZ(3),
    "data" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "artifacts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "encounters_updated_at_id_idx" ON "encounters"("updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "encounters_status_updated_at_id_idx" ON "encounters"("status", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "sessions_encounter_id_idx" ON "sessions"("encounter_id");

-- CreateIndex
CREATE INDEX "sessions_updated_at_id_idx" ON "sessions"("updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "sessions_status_updated_at_id_idx" ON "sessions"("status", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "deliveries_session_id_generated_at_id_idx" ON "deliveries"("session_id", "generated_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "deliveries_body_sha256_generated_at_key" ON "deliveries"("body_sha256", "generated_at");

-- CreateIndex
CREATE INDEX "artifacts_session_id_idx" ON "artifacts"("session_id");

-- CreateIndex
CREATE INDEX "artifacts_encounter_id_idx" ON "artifacts"("encounter_id");

-- CreateIndex
CREATE INDEX "artifacts_status_next_attempt_at_idx" ON "artifacts"("status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "artifacts_kind_owner_id_key" ON "artifacts"("kind", "owner_id");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_encounter_id_fkey" FOREIGN KEY ("encounter_id") REFERENCES "encounters"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_encounter_id_fkey" FOREIGN KEY ("encounter_id") REFERENCES "encounters"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
