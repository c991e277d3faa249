-- Set-based intake: a batch of notifications is applied with one statement per table instead
-- of one call of ingest_notification() per notification (about seven statements each). The
-- rules are those of ingest_notification(); the outcomes are the ones it would give if the
-- batch were applied one notification after the other in arrival order.
--
-- One statement cannot change a row twice (an upsert refuses to), so the set-based path takes
-- only batches in which every notification names its own session, none is rejected, and none
-- lists as known the session of a later one; anything else (the same session twice, two copies
-- of one body, a body stored as rejected) goes through ingest_notification() one by one, as
-- before. Within the set-based path several notifications may still share an encounter or an
-- encounter-level artifact: there the newest event of the batch is the one applied, which is
-- where the sequence would end too. test/e2e/intake-batch.e2e-spec.ts checks the equivalence
-- on random batches.

-- The batch as rows; `ord` is the position in the array.
CREATE FUNCTION ingest_rows(batch jsonb)
RETURNS TABLE (ord integer, arrival bigint, raw_body bytea, generated timestamptz, received timestamptz,
               sid text, eid text, vendor_status text, status "SessionStatus", error_code text,
               error_detail text, additional_info jsonb, links jsonb, known_sessions jsonb, artifacts jsonb)
LANGUAGE sql STABLE AS $$
  SELECT (t.i - 1)::integer, (n->>'arrival')::bigint, decode(n->>'rawBody', 'base64'),
         to_timestamp((n->>'generatedAtMs')::numeric / 1000), (n->>'receivedAt')::timestamptz,
         n->>'sessionId', n->>'encounterId', n->>'vendorStatus', (n->>'sessionStatus')::"SessionStatus",
         n->>'errorCode', n->>'errorDetail', NULLIF(n->'additionalInfo', 'null'), NULLIF(n->'links', 'null'),
         n->'knownSessions', n->'artifacts'
  FROM jsonb_array_elements(batch) WITH ORDINALITY AS t(n, i)
$$;

CREATE OR REPLACE FUNCTION ingest_notifications(batch jsonb) RETURNS TABLE (ordinal integer, outcome "DeliveryOutcome")
LANGUAGE plpgsql AS $$
DECLARE
  i integer;
  -- Sessions whose delivery is new (not a duplicate), with the delivery's id.
  fresh text[];
  fresh_ids bigint[];
  -- Sessions the statement inserted or whose event applied.
  changed text[];
  -- Sessions whose event counts (applied, or an unrecognised status): they change their
  -- encounter's view and request retrieval.
  live text[];
BEGIN
  IF EXISTS (
    SELECT 1 FROM jsonb_array_elements(batch) AS n
    GROUP BY n->>'sessionId'
    HAVING count(*) > 1 OR n->>'sessionId' IS NULL OR bool_or(n->>'rejectReason' IS NOT NULL)
  ) OR EXISTS (
    SELECT 1 FROM ingest_rows(batch) AS r
    CROSS JOIN LATERAL jsonb_array_elements_text(
      CASE WHEN jsonb_typeof(r.known_sessions) = 'array' THEN r.known_sessions ELSE '[]' END) AS k (known)
    JOIN ingest_rows(batch) AS later ON later.sid = k.known AND later.ord > r.ord
  ) THEN
    FOR i IN 0 .. jsonb_array_length(batch) - 1 LOOP
      ordinal := i;
      outcome := ingest_notification(batch->i);
      RETURN NEXT;
    END LOOP;
    RETURN;
  END IF;

  -- Every delivery is stored once; the unique (body_sha256, generated_at) key decides, across
  -- batches and replicas, which copy is the first. Stale outcomes are corrected below.
  WITH stored AS (
    INSERT INTO deliveries (session_id, encounter_id, generated_at, received_at, vendor_status,
                            outcome, raw_body, body_sha256)
    SELECT r.sid, r.eid, r.generated, r.received, r.vendor_status,
           CASE WHEN r.status IS NULL THEN 'unrecognized' ELSE 'applied' END::"DeliveryOutcome",
           r.raw_body, sha256(r.raw_body)
    FROM ingest_rows(batch) AS r
    ORDER BY r.ord
    ON CONFLICT (body_sha256, generated_at) DO NOTHING
    RETURNING session_id, id
  )
  SELECT COALESCE(array_agg(session_id), '{}'), COALESCE(array_agg(id), '{}') INTO fresh, fresh_ids FROM stored;

  IF cardinality(fresh) = 0 THEN
    RETURN QUERY SELECT r.ord, 'duplicate'::"DeliveryOutcome" FROM ingest_rows(batch) AS r;
    RETURN;
  END IF;

  -- Per encounter, the newest event of the batch (see ingest_notification for why an event
  -- newer than the encounter's is newer than its session's). Rows are locked in id order, the
  -- same in every batch, so two batches in flight cannot deadlock on them.
  INSERT INTO encounters AS e (id, status, last_event_at, last_arrival, created_at, updated_at)
  SELECT DISTINCT ON (r.eid) r.eid, COALESCE(r.status, 'pending'),
         CASE WHEN r.status IS NOT NULL THEN r.generated END,
         CASE WHEN r.status IS NOT NULL THEN r.arrival END,
         -- A new encounter was created by the first of its notifications.
         min(r.received) OVER (PARTITION BY r.eid), r.received
  FROM ingest_rows(batch) AS r
  WHERE r.sid = ANY(fresh)
  ORDER BY r.eid, r.status IS NOT NULL DESC, r.generated DESC, r.arrival DESC
  ON CONFLICT (id) DO UPDATE SET
    status = excluded.status,
    last_event_at = excluded.last_event_at,
    last_arrival = excluded.last_arrival,
    updated_at = GREATEST(e.updated_at, excluded.updated_at)
  WHERE excluded.last_event_at IS NOT NULL
    AND (e.last_event_at IS NULL OR (e.last_event_at, COALESCE(e.last_arrival, 0)) < (excluded.last_event_at, excluded.last_arrival));

  -- A session with an unrecognised status is only made known (its row has no event, so the
  -- update below never fires for it); one with a known status is applied if newer.
  WITH upserted AS (
    INSERT INTO sessions AS s (id, encounter_id, status, vendor_status, error_code, error_detail,
                               additional_info, links, last_event_at, last_delivery_id, last_arrival,
                               created_at, updated_at)
    SELECT r.sid, r.eid, COALESCE(r.status, 'pending'),
           CASE WHEN r.status IS NOT NULL THEN r.vendor_status END,
           CASE WHEN r.status IS NOT NULL THEN r.error_code END,
           CASE WHEN r.status IS NOT NULL THEN r.error_detail END,
           CASE WHEN r.status IS NOT NULL THEN r.additional_info END,
           CASE WHEN r.status IS NOT NULL THEN r.links END,
           CASE WHEN r.status IS NOT NULL THEN r.generated END,
           CASE WHEN r.status IS NOT NULL THEN f.id END,
           CASE WHEN r.status IS NOT NULL THEN r.arrival END,
           r.received, r.received
    FROM ingest_rows(batch) AS r
    JOIN unnest(fresh, fresh_ids) AS f (sid, id) ON f.sid = r.sid
    ORDER BY r.sid
    ON CONFLICT (id) DO UPDATE SET
      status = excluded.status,
      vendor_status = excluded.vendor_status,
      error_code = excluded.error_code,
      error_detail = excluded.error_detail,
      additional_info = excluded.additional_info,
      links = excluded.links,
      last_event_at = excluded.last_event_at,
      last_delivery_id = excluded.last_delivery_id,
      last_arrival = excluded.last_arrival,
      updated_at = GREATEST(s.updated_at, excluded.updated_at)
    WHERE excluded.last_event_at IS NOT NULL
      AND (s.last_event_at IS NULL OR (s.last_event_at, COALESCE(s.last_arrival, 0)) < (excluded.last_event_at, excluded.last_arrival))
    RETURNING s.id
  )
  SELECT COALESCE(array_agg(id), '{}') INTO changed FROM upserted;

  SELECT COALESCE(array_agg(r.sid), '{}') INTO live
  FROM ingest_rows(batch) AS r
  WHERE r.sid = ANY(fresh) AND (r.status IS NULL OR r.sid = ANY(changed));

  IF cardinality(live) < cardinality(fresh) THEN
    UPDATE deliveries AS d SET outcome = 'stale'
    FROM unnest(fresh, fresh_ids) AS f (sid, id)
    WHERE d.id = f.id AND NOT f.sid = ANY(live);
  END IF;

  -- A session that changed or joined shows in its encounter's view even when its event did
  -- not overtake the encounter's latest.
  UPDATE encounters AS e SET updated_at = m.received
  FROM (SELECT r.eid, max(r.received) AS received FROM ingest_rows(batch) AS r
        WHERE r.sid = ANY(live) GROUP BY r.eid) AS m
  WHERE e.id = m.eid AND e.updated_at < m.received;

  INSERT INTO sessions (id, encounter_id, created_at, updated_at)
  SELECT DISTINCT ON (k.known) k.known, r.eid, r.received, r.received
  FROM ingest_rows(batch) AS r
  CROSS JOIN LATERAL jsonb_array_elements_text(
    CASE WHEN jsonb_typeof(r.known_sessions) = 'array' THEN r.known_sessions ELSE '[]' END) AS k (known)
  WHERE r.sid = ANY(fresh) AND k.known <> r.sid
  ORDER BY k.known, r.ord
  ON CONFLICT (id) DO NOTHING;

  -- Retrieval work, in the same statement as the deliveries. Per artifact the newest request
  -- of the batch; an older one than the artifact's own (a reordered delivery) changes nothing.
  INSERT INTO artifacts AS a (kind, owner_id, session_id, encounter_id, status, href, last_error,
                              next_attempt_at, requested_at, created_at, updated_at)
  SELECT DISTINCT ON (x->>'ownerId', (x->>'kind')::"ArtifactKind")
         (x->>'kind')::"ArtifactKind", x->>'ownerId', x->>'sessionId', r.eid,
         CASE WHEN x->>'refusal' IS NULL THEN 'pending' ELSE 'failed' END::"ArtifactStatus",
         x->>'href', x->>'refusal',
         CASE WHEN x->>'refusal' IS NULL THEN r.received END,
         r.generated, min(r.received) OVER (PARTITION BY x->>'ownerId', x->>'kind'), r.received
  FROM ingest_rows(batch) AS r
  CROSS JOIN LATERAL jsonb_array_elements(
    CASE WHEN jsonb_typeof(r.artifacts) = 'array' THEN r.artifacts ELSE '[]' END) AS x
  WHERE r.sid = ANY(live)
  ORDER BY x->>'ownerId', (x->>'kind')::"ArtifactKind", r.generated DESC, r.arrival DESC
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

  RETURN QUERY
  SELECT r.ord,
         CASE WHEN NOT r.sid = ANY(fresh) THEN 'duplicate'
              WHEN r.status IS NULL THEN 'unrecognized'
              WHEN r.sid = ANY(live) THEN 'applied'
              ELSE 'stale' END::"DeliveryOutcome"
  FROM ingest_rows(batch) AS r;
END;
$$;

-- The statements above read the batch through parameters; a custom plan for every call cost
-- about half a millisecond of planning per batch, more than a notification's own writes.
ALTER FUNCTION ingest_notifications(jsonb) SET plan_cache_mode = force_generic_plan;
