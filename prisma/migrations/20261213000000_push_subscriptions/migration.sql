-- Push subscriptions: internal systems called with each change-feed event. The feed is the
-- outbox; a subscription is a persisted cursor into it (a low watermark: every event at or
-- before it was answered 2xx or recorded as failed), moved only by the replica holding the
-- subscription's lease.

-- CreateEnum
CREATE TYPE "SubscriptionStatus" AS ENUM ('active', 'paused', 'disabled');

-- Leases: one named owner at a time, with a fencing generation bumped at every change of hands.
-- Generic (src/leases): any worker that must run on one replica takes one by name.
-- CreateTable
CREATE TABLE "leases" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "generation" BIGINT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "leases_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "subscriptions" (
    "id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "types" TEXT[],
    "status" "SubscriptionStatus" NOT NULL DEFAULT 'active',
    "max_in_flight" INTEGER NOT NULL DEFAULT 8,
    "cursor_xid" BIGINT NOT NULL,
    "cursor_position" BIGINT NOT NULL,
    "epoch" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 0,
    "secret" TEXT NOT NULL,
    "previous_secret" TEXT,
    "previous_secret_until" TIMESTAMPTZ(3),
    "failing_since" TIMESTAMPTZ(3),
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_attempt_status" INTEGER,
    "last_attempt_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "subscription_attempts" (
    "id" BIGSERIAL NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "attempted_at" TIMESTAMPTZ(3) NOT NULL,
    "http_status" INTEGER,
    "duration_ms" INTEGER NOT NULL,
    "error" TEXT,

    CONSTRAINT "subscription_attempts_pkey" PRIMARY KEY ("id")
);

-- Events past the cursor already settled (2xx or failed) while an earlier one was still open:
-- remembered so that a replica taking over does not send them again. Rows at or before the
-- cursor are deleted as it moves.
-- CreateTable
CREATE TABLE "subscription_settled" (
    "subscription_id" TEXT NOT NULL,
    "xid" BIGINT NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "subscription_settled_pkey" PRIMARY KEY ("subscription_id","xid","position")
);

-- CreateIndex
CREATE INDEX "subscriptions_created_at_id_idx" ON "subscriptions"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "subscription_attempts_subscription_id_attempted_at_id_idx" ON "subscription_attempts"("subscription_id", "attempted_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "subscription_attempts_attempted_at_idx" ON "subscription_attempts"("attempted_at");

-- AddForeignKey
ALTER TABLE "subscription_attempts" ADD CONSTRAINT "subscription_attempts_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscription_settled" ADD CONSTRAINT "subscription_settled_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The feed carries subscription.disabled, which belongs to no encounter.
-- AlterTable
ALTER TABLE "events" ALTER COLUMN "encounter_id" DROP NOT NULL,
ADD COLUMN     "subscription_id" TEXT;

-- The audit names the subscription an admin action changed.
-- AlterTable
ALTER TABLE "access_audit" ADD COLUMN     "subscription_id" TEXT;

-- subscription.disabled goes on the feed in the transaction that disables the subscription,
-- the way the session and artifact triggers record theirs, with the same wake-up.
CREATE FUNCTION subscriptions_disabled_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, subscription_id) VALUES ('subscription.disabled', NEW.id);
  PERFORM pg_notify('suki_events', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER subscriptions_disabled_event AFTER UPDATE OF status ON subscriptions
  FOR EACH ROW WHEN (NEW.status = 'disabled' AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION subscriptions_disabled_event();
