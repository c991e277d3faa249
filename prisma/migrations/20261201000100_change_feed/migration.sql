-- The change feed (GET /v1/events): a transactional outbox written by triggers, so that every
-- writer of sessions and artifacts (intake, status checks, retrieval, and whatever comes later)
-- records its events in the same transaction as the change, with no code of its own and no
-- extra round trip: one INSERT per status change.
--
-- Gap-free reading. A bigserial is drawn at insert, not at commit: position 101 can commit
-- before position 100, and a reader that saw 101 would skip 100 for good. So every event also
-- records its transaction id (xid), and the feed serves only events of transactions older than
-- the reading snapshot's xmin, ordered by (xid, position). PostgreSQL defines xmin as the
-- lowest transaction id still active: every id below it has committed (its rows are visible)
-- or rolled back (its rows never will be), and ids handed out later are all above it. So the
-- set of events below xmin is final, xmin only grows, and whatever becomes servable later sorts
-- after every cursor issued before: a consumer resuming from its cursor misses nothing and sees
-- nothing twice (the technique of PgQ). The price: an event waits until every transaction that
-- began writing before it has ended (intake's transactions last milliseconds). The reader holds
-- no transaction id itself (a plain SELECT), so it never holds xmin back.
-- The alternative, positions assigned at commit under a lock, would serialise every writer's
-- commit; this needs no lock at all. The xid is stored as bigint (xid8 fits: 64-bit, epoch-
-- extended, never wraps) so that Prisma and cursors handle it as a plain number.

-- CreateTable
CREATE TABLE "events" (
    "xid" BIGINT NOT NULL DEFAULT ((pg_current_xact_id())::text)::bigint,
    "position" BIGSERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "session_id" TEXT,
    "encounter_id" TEXT NOT NULL,
    "status" "SessionStatus",
    "kind" "ArtifactKind",
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("xid","position")
);

-- CreateTable
CREATE TABLE "event_horizon" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "xid" BIGINT NOT NULL DEFAULT 0,
    "position" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "event_horizon_pkey" PRIMARY KEY ("id")
);

-- The (xid, position) of the newest purged event: a cursor below it may have missed events (410).
INSERT INTO event_horizon (id) VALUES (1);

-- One event, and a wake-up for long-polling readers. NOTIFY is delivered at commit (never for
-- a transaction that rolls back), and repeats within one transaction are folded into one.
CREATE FUNCTION record_event(event_type text, session text, encounter text, session_status "SessionStatus", artifact_kind "ArtifactKind")
RETURNS void LANGUAGE sql AS $$
  INSERT INTO events (type, session_id, encounter_id, status, kind)
  VALUES (event_type, session, encounter, session_status, artifact_kind);
  SELECT pg_notify('suki_events', '');
$$;

-- Every change of a session's status, including first becoming known (inserted), whatever wrote it.
CREATE FUNCTION sessions_status_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM record_event('session.' || NEW.status::text, NEW.id, NEW.encounter_id, NEW.status, NULL);
  RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_status_event_inserted AFTER INSERT ON sessions
  FOR EACH ROW EXECUTE FUNCTION sessions_status_event();
CREATE TRIGGER sessions_status_event_updated AFTER UPDATE OF status ON sessions
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION sessions_status_event();

-- Artifacts reaching ready or failed (a refused href is failed from the start). A re-requested
-- artifact goes back to pending and yields a new event when it settles again.
CREATE FUNCTION artifacts_state_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM record_event('artifact.' || NEW.status::text, NEW.session_id, NEW.encounter_id, NULL, NEW.kind);
  RETURN NULL;
END;
$$;

CREATE TRIGGER artifacts_state_event_inserted AFTER INSERT ON artifacts
  FOR EACH ROW WHEN (NEW.status IN ('ready', 'failed')) EXECUTE FUNCTION artifacts_state_event();
CREATE TRIGGER artifacts_state_event_updated AFTER UPDATE OF status ON artifacts
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status IN ('ready', 'failed'))
  EXECUTE FUNCTION artifacts_state_event();

-- session.results_ready: the session is completed and every session-level artifact it requested
-- (the `status` check is not a result) is ready. It can become true by the session completing or
-- by its last artifact becoming ready, on two workers at once. Exactly one event comes of it:
--   * both checks run at commit (deferred triggers), after every row lock their transaction
--     takes, and under one advisory lock per session; so they run one after the other, and the
--     later one reads what the earlier committed (each statement of a trigger takes a fresh
--     snapshot under READ COMMITTED), while the earlier one cannot yet see the later change;
--   * taken last, the advisory lock can be in no deadlock: its holder waits for nothing else;
--   * several checks in one transaction (two artifacts, or an artifact and the session) record
--     one event: the transaction's own earlier event is found by its xid.
-- A session inserted as completed needs no check: its artifacts, which refer to it, are written
-- after it as pending (or failed) and reach ready in a later transaction.
CREATE FUNCTION record_results_ready_if_complete(sid text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  eid text;
  results integer;
  unready integer;
BEGIN
  PERFORM pg_advisory_xact_lock(1702258035, hashtext(sid));
  SELECT encounter_id INTO eid FROM sessions WHERE id = sid AND status = 'completed';
  IF eid IS NULL THEN
    RETURN;
  END IF;
  SELECT count(*), count(*) FILTER (WHERE status <> 'ready') INTO results, unready
  FROM artifacts WHERE owner_id = sid AND session_id = sid AND kind <> 'status';
  IF results = 0 OR unready > 0 THEN
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM events WHERE xid = (pg_current_xact_id())::text::bigint
             AND session_id = sid AND type = 'session.results_ready') THEN
    RETURN;
  END IF;
  PERFORM record_event('session.results_ready', sid, eid, 'completed', NULL);
END;
$$;

CREATE FUNCTION sessions_results_ready_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM record_results_ready_if_complete(NEW.id);
  RETURN NULL;
END;
$$;

CREATE FUNCTION artifacts_results_ready_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM record_results_ready_if_complete(NEW.session_id);
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER sessions_results_ready AFTER UPDATE OF status ON sessions
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.status = 'completed' AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION sessions_results_ready_check();
CREATE CONSTRAINT TRIGGER artifacts_results_ready AFTER UPDATE OF status ON artifacts
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.status = 'ready' AND OLD.status IS DISTINCT FROM NEW.status
                     AND NEW.owner_id = NEW.session_id AND NEW.kind <> 'status')
  EXECUTE FUNCTION artifacts_results_ready_check();
