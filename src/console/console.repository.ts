import { Injectable } from '@nestjs/common';
import { QueryDatabase } from '../database/query-database';
import { ArtifactKind, SessionStatus } from '../generated/prisma/enums';
import { RECONCILE_REQUESTED_AT } from '../database/reconcile-poll';
import type { ArtifactLine, DeliveryLine, FeedEventLine, OverviewCounts, SessionLine } from './console.views';

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
