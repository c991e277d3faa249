-- Statements inside the database's functions look rows up by their key alone.
--
-- PL/pgSQL keeps a statement's plan for the life of a connection, and may keep a generic plan
-- made while the table was nearly empty. With a status among a lookup's conditions, such a plan
-- could pick the index that leads with the status, and walk every row in that status: every
-- completed session for each artifact that became ready, every pending artifact for each
-- notification. Seen on a fresh database under an intake burst: that one statement took 15 ms
-- and more on every call, and batches up to 0.8 s, on one connection of the pool, for minutes.
-- Looked up by the key alone, then judged in PL/pgSQL, no plan has another index to choose
-- (test/e2e/intake-plans.e2e-spec.ts).

CREATE OR REPLACE FUNCTION record_results_ready_if_complete(sid text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  eid text;
  session_status "SessionStatus";
  results integer;
  unready integer;
BEGIN
  PERFORM pg_advisory_xact_lock(1702258035, hashtext(sid));
  SELECT encounter_id, status INTO eid, session_status FROM sessions WHERE id = sid;
  IF session_status IS DISTINCT FROM 'completed' THEN
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

-- Intake, copied verbatim from prisma/sql/ingest_notifications.sql: a session's own notification
-- finds its missed-notification poll by the poll's key.
-- The intake function: one database call per batch of notifications (src/webhooks/intake.repository.ts).
-- This file is its one source. A migration that changes it copies this file verbatim, and
-- src/database/intake-function.spec.ts checks that the newest migration defining it says exactly this.
-- Which event is newer is event_is_newer's to say (latest_wins_once migration), nowhere else;
-- which encounter a session belongs to is session_binding's (encounter_binding migration).
--
-- Besides its outcome, a notification answers with held_encounter_id: the encounter its session
-- was under when that differs from the one it names (moved from it, or, for `conflict`, kept in it).

CREATE OR REPLACE FUNCTION ingest_notification(n jsonb, OUT outcome "DeliveryOutcome", OUT held_encounter_id text)
LANGUAGE plpgsql AS $$
DECLARE
  delivery_id bigint;
  generated timestamptz := to_timestamp((n->>'generatedAtMs')::numeric / 1000);
  received timestamptz := (n->>'receivedAt')::timestamptz;
  arrival bigint := (n->>'arrival')::bigint;
  sid text := n->>'sessionId';
  eid text := n->>'encounterId';
  new_status "SessionStatus" := (n->>'sessionStatus')::"SessionStatus";
  body bytea := decode(n->>'rawBody', 'base64');
  session_applied boolean;
  encounter_took_it boolean;
  result "DeliveryOutcome";
  held_bound boolean;
  binding text;
  written boolean;
  poll_id bigint;
  poll_scheduled boolean;
BEGIN
  INSERT INTO deliveries (session_id, encounter_id, generated_at, received_at, vendor_status,
                          outcome, reject_reason, raw_body, body_sha256)
  VALUES (sid, eid, generated, received, n->>'vendorStatus',
          CASE WHEN n->>'rejectReason' IS NULL THEN 'applied' ELSE 'rejected' END::"DeliveryOutcome",
          n->>'rejectReason', body, sha256(body))
  ON CONFLICT (body_sha256, generated_at) DO NOTHING
  RETURNING id INTO delivery_id;

  IF delivery_id IS NULL THEN
    outcome := 'duplicate';
    RETURN;
  END IF;
  IF n->>'rejectReason' IS NOT NULL THEN
    outcome := 'rejected';
    RETURN;
  END IF;

  -- Which encounter the session belongs to is decided one notification of it at a time, on
  -- every replica: the first of its own notifications binds it (moving it out of an encounter
  -- it was only provisionally in), and a later one naming another encounter cannot move it.
  -- Only intake binds or moves a session, and only under this lock: a plain read is enough
  -- (registrations, `sessions` arrays and status checks never change a session's encounter).
  PERFORM pg_advisory_xact_lock(1702258036, hashtext(sid));
  SELECT s.encounter_id, s.encounter_bound INTO held_encounter_id, held_bound FROM sessions s WHERE s.id = sid;
  binding := session_binding(held_encounter_id, held_bound, eid);
  IF binding = 'conflict' THEN
    -- Kept in the timeline, changing nothing: the session stays where its own notification put it.
    UPDATE deliveries SET outcome = 'conflict' WHERE id = delivery_id;
    outcome := 'conflict';
    RETURN;
  END IF;
  IF binding <> 'move' THEN
    held_encounter_id := NULL;
  END IF;
  IF binding <> 'keep' THEN
    -- Names the request in the audit record a move writes (the sessions trigger of that migration).
    PERFORM set_config('suki.request_id', COALESCE(n->>'requestId', 'delivery:' || delivery_id), true);
  END IF;

  -- The encounter shows the status of its session with the latest vendor event. An event newer
  -- than everything the encounter has seen is newer than anything its session has seen too, so
  -- it will apply there as well: one upsert settles a new or overtaken encounter.
  INSERT INTO encounters AS e (id, status, last_event_at, last_arrival, created_at, updated_at)
  VALUES (eid, COALESCE(new_status, 'pending'), CASE WHEN new_status IS NOT NULL THEN generated END,
          CASE WHEN new_status IS NOT NULL THEN arrival END, received, received)
  ON CONFLICT (id) DO UPDATE SET
    status = excluded.status,
    last_event_at = excluded.last_event_at,
    last_arrival = excluded.last_arrival,
    updated_at = GREATEST(e.updated_at, excluded.updated_at)
  WHERE excluded.last_event_at IS NOT NULL
    AND event_is_newer(e.last_event_at, e.last_arrival, excluded.last_event_at, excluded.last_arrival)
  RETURNING true INTO encounter_took_it;

  LOOP
    IF binding IN ('bind', 'move') THEN
      -- A move takes the session's artifacts, both encounters' views, the feed and the audit
      -- with it: the sessions trigger of the encounter_binding migration, whatever moves it.
      UPDATE sessions SET encounter_id = eid, encounter_bound = true WHERE id = sid;
    END IF;

    IF new_status IS NULL THEN
      -- A status we do not know: keep the session known, change nothing, reconcile later.
      INSERT INTO sessions (id, encounter_id, encounter_bound, created_at, updated_at) VALUES (sid, eid, true, received, received)
      ON CONFLICT (id) DO NOTHING
      RETURNING true INTO written;
      result := 'unrecognized';
    ELSE
      INSERT INTO sessions AS s (id, encounter_id, encounter_bound, status, vendor_status, error_code, error_detail,
                                 additional_info, links, last_event_at, last_delivery_id, last_arrival, source, created_at, updated_at)
      VALUES (sid, eid, true, new_status, n->>'vendorStatus', n->>'errorCode', n->>'errorDetail',
              NULLIF(n->'additionalInfo', 'null'), NULLIF(n->'links', 'null'), generated, delivery_id, arrival, 'notification',
              received, received)
      ON CONFLICT (id) DO UPDATE SET
        status = excluded.status,
        source = excluded.source,
        vendor_status = excluded.vendor_status,
        error_code = excluded.error_code,
        error_detail = excluded.error_detail,
        additional_info = excluded.additional_info,
        links = excluded.links,
        last_event_at = excluded.last_event_at,
        last_delivery_id = excluded.last_delivery_id,
        last_arrival = excluded.last_arrival,
        -- Never backwards (replica clocks, batches committing out of order): list cursors rely on it.
        updated_at = GREATEST(s.updated_at, excluded.updated_at)
      -- Bound here already (above); an unbound row is one made known after the read above.
      WHERE s.encounter_bound
        AND event_is_newer(s.last_event_at, s.last_arrival, excluded.last_event_at, excluded.last_arrival)
      RETURNING true INTO session_applied;
      written := session_applied;
      result := CASE WHEN session_applied THEN 'applied' ELSE 'stale' END;
    END IF;

    EXIT WHEN binding <> 'new' OR written;
    -- Unknown when read above, but a registration or another notification's `sessions` made it
    -- known since (they do not take the lock above): bind it now as if it had been known, and apply again.
    SELECT s.encounter_id, s.encounter_bound INTO held_encounter_id, held_bound FROM sessions s WHERE s.id = sid;
    binding := session_binding(held_encounter_id, held_bound, eid);
    IF binding NOT IN ('bind', 'move') THEN
      RAISE EXCEPTION 'session % was bound meanwhile by another notification', sid;
    END IF;
    IF binding <> 'move' THEN
      held_encounter_id := NULL;
    END IF;
  END LOOP;

  IF result <> 'stale' AND encounter_took_it IS NULL THEN
    -- A session changed, or joined, without overtaking the encounter's latest event: the
    -- encounter's view changed all the same.
    UPDATE encounters SET updated_at = GREATEST(updated_at, received) WHERE id = eid;
  END IF;

  IF jsonb_typeof(n->'knownSessions') = 'array' THEN
    -- A session first known from this list is reconciled if its own notification never comes:
    -- its status poll is scheduled RECONCILE_AFTER_MS from now (reconcile migration).
    WITH known AS (
      INSERT INTO sessions (id, encounter_id, created_at, updated_at)
      SELECT known, eid, received, received FROM jsonb_array_elements_text(n->'knownSessions') AS known
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    )
    INSERT INTO artifacts (kind, owner_id, session_id, encounter_id, status, href, next_attempt_at, requested_at, created_at, updated_at)
    SELECT 'status', known.id, known.id, eid, 'pending', x->>'href',
           received + (n->>'reconcileAfterMs')::float8 * interval '1 millisecond', 'epoch', received, received
    FROM known JOIN jsonb_array_elements(n->'reconcileChecks') AS x ON x->>'sessionId' = known.id
    WHERE n->>'reconcileAfterMs' IS NOT NULL
    ON CONFLICT (owner_id, kind) DO NOTHING;
  END IF;

  IF session_applied THEN
    -- The session's own notification came: its missed-notification poll, if any, is moot.
    -- Found by its key alone, then judged here: with the status among the conditions, a plan
    -- cached while the table was nearly empty could walk every pending artifact instead.
    SELECT a.id, a.requested_at = 'epoch' AND a.status = 'pending' INTO poll_id, poll_scheduled
    FROM artifacts a WHERE a.owner_id = sid AND a.kind = 'status' FOR UPDATE;
    IF poll_scheduled THEN
      DELETE FROM artifacts WHERE id = poll_id;
    END IF;
  END IF;

  IF result <> 'stale' AND jsonb_typeof(n->'artifacts') = 'array' THEN
    -- Retrieval work is written in the same statement as the delivery, so an acknowledged
    -- notification can never lose its work. A newer request resets the artifact; an older
    -- one (a reordered delivery) leaves it alone.
    INSERT INTO artifacts AS a (kind, owner_id, session_id, encounter_id, status, href, last_error,
                                next_attempt_at, requested_at, created_at, updated_at)
    SELECT (x->>'kind')::"ArtifactKind", x->>'ownerId', x->>'sessionId', eid,
           CASE WHEN x->>'refusal' IS NULL THEN 'pending' ELSE 'failed' END::"ArtifactStatus",
           x->>'href', x->>'refusal',
           CASE WHEN x->>'refusal' IS NULL THEN received END,
           generated, received, received
    FROM jsonb_array_elements(n->'artifacts') AS x
    ON CONFLICT (owner_id, kind) DO UPDATE SET
      status = excluded.status,
      href = excluded.href,
      attempts = 0,
      last_error = excluded.last_error,
      next_attempt_at = excluded.next_attempt_at,
      locked_until = NULL,
      generation = a.generation + 1,
      requested_at = excluded.requested_at,
      updated_at = excluded.updated_at
    WHERE a.requested_at <= excluded.requested_at;
  END IF;

  IF result <> 'applied' THEN
    UPDATE deliveries SET outcome = result WHERE id = delivery_id;
  END IF;
  outcome := result;
END;
$$;

-- The batch entry point: one notification after the other, in arrival order, one commit.
CREATE OR REPLACE FUNCTION ingest_notifications(batch jsonb)
RETURNS TABLE (ordinal integer, outcome "DeliveryOutcome", held_encounter_id text)
LANGUAGE plpgsql AS $$
DECLARE
  i integer;
BEGIN
  FOR i IN 0 .. jsonb_array_length(batch) - 1 LOOP
    ordinal := i;
    SELECT r.outcome, r.held_encounter_id INTO outcome, held_encounter_id FROM ingest_notification(batch->i) AS r;
    RETURN NEXT;
  END LOOP;
END;
$$;
