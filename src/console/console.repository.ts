import { Injectable } from '@nestjs/common';
import { QueryDatabase } from '../database/query-database';
import { ArtifactKind, SessionStatus } from '../generated/prisma/enums';
import { RECONCILE_REQUESTED_AT } from '../database/reconcile-poll';
import type { ArtifactLine, DeliveryLine, FeedEventLine, NoteWaits, OverviewCounts, SessionLine } from './console.views';

/** How many rows of one list a page shows at most. */
export const PAGE_ROWS = 100;

const AGE = (column: string) => `COALESCE(EXTRACT(EPOCH FROM now() - ${column}), 0)::float8`;
const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// Each figure reads an index, never a whole table: deliveries of the last hour through the primary
// key (ids grow with arrival), pending and failed artifacts through (status, next_attempt_at), and
// events still held behind an open transaction through the feed's key (xid, position).
const OVERVIEW = `
  WITH hour AS (
    SELECT COALESCE((SELECT id FROM deliveries WHERE received_at <= now() - interval '1 hour' ORDER BY id DESC LIMIT 1), 0) AS before
  ), recent AS (
    SELECT count(*)::int AS received, (count(*) FILTER (WHERE outcome = 'rejected'))::int AS rejected
    FROM deliveries, hour WHERE id > hour.before
  ), horizon AS (SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint AS xmin)
  SELECT recent.received, recent.rejected,
    (SELECT count(*)::int FROM artifacts WHERE status = 'failed') AS failed,
    (SELECT count(*)::int FROM artifacts WHERE status = 'failed' AND kind = 'status' AND requested_at = $1::timestamptz) AS unresolved,
    (SELECT count(*)::int FROM artifacts WHERE status = 'pending' AND kind = 'status' AND requested_at = $1::timestamptz) AS reconciling,
    (SELECT count(*)::int FROM events, horizon WHERE xid >= horizon.xmin) AS feed_held,
    (SELECT ${AGE('min(occurred_at)')} FROM events, horizon WHERE xid >= horizon.xmin) AS feed_lag_seconds,
    COALESCE((SELECT json_agg(json_build_object('kind', kind, 'pending', pending, 'oldestAgeSeconds', oldest) ORDER BY kind)
      FROM (SELECT kind::text AS kind, count(*)::int AS pending, ${AGE('min(requested_at)')} AS oldest
            FROM artifacts WHERE status = 'pending' AND requested_at <> $1::timestamptz GROUP BY kind) AS k), '[]'::json) AS backlog
  FROM recent`;

// The notes that became ready in the last hour, found through the feed rather than an index of
// their own on artifacts (every index there is written on every notification): a note reaching
// ready records an artifact.ready event in the same transaction, and the events of the last hour
// are the tail of the feed's key (xid grows with time), found by walking it back to the first
// older event. A transaction open across the hour's edge may leave its note out of the figure.
// The range is bounded on both sides so that the planner, which cannot know either bound when
// it plans, takes it for a narrow one and reads the key (one side alone reads as a third of the
// table: a scan of every retained event); each note is then looked up by its (owner_id, kind)
// key (LIMIT 1 keeps that a lookup per note, not a join planned for many).
// The wait is the one suki_artifact_ready_seconds observes: from the acknowledgement of the
// notification that queued the note (the artifact's created_at) to its result stored;
// missed-notification polls are left out, as there.
const TIME_TO_NOTE = `
  WITH edge AS (
    SELECT COALESCE((SELECT xid FROM events WHERE occurred_at <= now() - interval '1 hour' ORDER BY xid DESC, position DESC LIMIT 1), 0) AS after,
           COALESCE((SELECT xid FROM events ORDER BY xid DESC, position DESC LIMIT 1), 0) AS last
  ), ready AS (
    SELECT DISTINCT e.session_id FROM events e, edge
    WHERE e.xid > edge.after AND e.xid <= edge.last AND e.type = 'artifact.ready' AND e.kind = 'contents' AND e.session_id IS NOT NULL
  ), waits AS (
    SELECT note.seconds FROM ready, LATERAL (
      SELECT GREATEST(0, EXTRACT(EPOCH FROM a.fetched_at - a.created_at))::float8 AS seconds
      FROM artifacts a
      WHERE a.owner_id = ready.session_id AND a.kind = 'contents'
        AND a.status = 'ready' AND a.fetched_at > now() - interval '1 hour' AND a.requested_at <> $1::timestamptz
      LIMIT 1
    ) AS note
  )
  SELECT count(*)::int AS notes,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS p50,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds) AS p95
  FROM waits`;

const SESSION = `SELECT id AS "sessionId", encounter_id AS "encounterId", status::text AS status, source::text AS source,
    vendor_status AS "vendorStatus", error_code AS "errorCode", error_detail AS "errorDetail",
    ${ISO('last_event_at')} AS "lastEventAt", ${ISO('ended_at')} AS "endedAt", ${ISO('created_at')} AS "createdAt", ${ISO('updated_at')} AS "updatedAt"
  FROM sessions`;

/** The console's reads, through the query API's read pool: identifiers, states and times, never note content. */
@Injectable()
export class ConsoleRepository {
  constructor(private readonly db: QueryDatabase) {}

  async overview(): Promise<OverviewCounts> {
    const [row] = await this.db.rows<OverviewCounts & { feed_held: number; feed_lag_seconds: number }>('console-overview', OVERVIEW, [
      RECONCILE_REQUESTED_AT,
    ]);
    return { ...row, feedHeld: row.feed_held, feedLagSeconds: row.feed_lag_seconds };
  }

  /** The median and 95th percentile of the last hour's notes' waits, cluster-wide; p50 and p95 are null when there were none. */
  async timeToNote(): Promise<NoteWaits> {
    const [row] = await this.db.rows<NoteWaits>('console-time-to-note', TIME_TO_NOTE, [RECONCILE_REQUESTED_AT]);
    return row;
  }

  async session(sessionId: string): Promise<SessionLine | undefined> {
    const [row] = await this.db.rows<SessionLine>('console-session', `${SESSION} WHERE id = $1`, [sessionId]);
    return row;
  }

  sessionsOfEncounter(encounterId: string): Promise<SessionLine[]> {
    return this.db.rows<SessionLine>(
      'console-encounter-sessions',
      `${SESSION} WHERE encounter_id = $1 ORDER BY updated_at DESC, id DESC LIMIT ${PAGE_ROWS}`,
      [encounterId],
    );
  }

  sessionsByStatus(status: SessionStatus | undefined): Promise<SessionLine[]> {
    return this.db.rows<SessionLine>(
      'console-sessions-by-status',
      `${SESSION} WHERE $1::"SessionStatus" IS NULL OR status = $1::"SessionStatus" ORDER BY updated_at DESC, id DESC LIMIT ${PAGE_ROWS}`,
      [status ?? null],
    );
  }

  /** The session's deliveries in vendor-time order (as GET /v1/sessions/{id}/events), without their bodies. */
  deliveries(sessionId: string): Promise<DeliveryLine[]> {
    return this.db.rows<DeliveryLine>(
      'console-deliveries',
      `SELECT ${ISO('received_at')} AS "receivedAt", ${ISO('generated_at')} AS "generatedAt", vendor_status AS "vendorStatus",
              outcome::text AS outcome, reject_reason AS "rejectReason"
       FROM deliveries WHERE session_id = $1 ORDER BY generated_at, id LIMIT ${PAGE_ROWS}`,
      [sessionId],
    );
  }

  /** The session's own artifacts, then its encounter's, without their data. */
  artifacts(sessionId: string, encounterId: string): Promise<ArtifactLine[]> {
    return this.db.rows<ArtifactLine>(
      'console-artifacts',
      `SELECT kind::text AS kind, (owner_id = $2) AS "encounterLevel", status::text AS status, attempts, last_error AS "lastError",
              CASE WHEN status = 'pending' THEN ${ISO('next_attempt_at')} END AS "nextAttemptAt", ${ISO('fetched_at')} AS "fetchedAt",
              requested_at = $3::timestamptz AS reconcile, data IS NOT NULL AS "hasData", ${ISO('updated_at')} AS "updatedAt"
       FROM artifacts WHERE (owner_id = $1 AND session_id = $1) OR (owner_id = $2 AND encounter_id = $2)
       ORDER BY owner_id = $2, kind`,
      [sessionId, encounterId, RECONCILE_REQUESTED_AT],
    );
  }

  /**
   * The session's change-feed events in feed order. The feed has no index by session (intake
   * writes it, and every index is paid on every write), so this scans the retained events; an
   * operator's page view, not a hot path.
   */
  feedEvents(sessionId: string): Promise<FeedEventLine[]> {
    return this.db.rows<FeedEventLine>(
      'console-feed-events',
      `SELECT type, status::text AS status, kind::text AS kind, ${ISO('occurred_at')} AS "occurredAt"
       FROM events WHERE session_id = $1 ORDER BY xid, position LIMIT ${PAGE_ROWS}`,
      [sessionId],
    );
  }

  async encounterExists(encounterId: string): Promise<boolean> {
    const rows = await this.db.rows('console-encounter', 'SELECT 1 FROM encounters WHERE id = $1', [encounterId]);
    return rows.length > 0;
  }

  /** A session-level artifact's data (note content): read only when an operator asked to see it. */
  async artifactData(sessionId: string, kind: ArtifactKind): Promise<{ encounterId: string; data: unknown } | undefined> {
    const [row] = await this.db.rows<{ encounterId: string; data: unknown }>(
      'console-artifact-data',
      `SELECT encounter_id AS "encounterId", data FROM artifacts WHERE owner_id = $1 AND session_id = $1 AND kind = $2::"ArtifactKind"`,
      [sessionId, kind],
    );
    return row;
  }
}
