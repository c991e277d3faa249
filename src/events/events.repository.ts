import { Injectable } from '@nestjs/common';
import { SessionStatus, ArtifactKind } from '../generated/prisma/enums';
import { OperationsDatabase } from '../database/operations-database';
import { QueryDatabase } from '../database/query-database';
import { FeedPosition } from './event-cursor';
import { FeedRead } from './stored-event';

interface Row {
  xmin: string;
  horizon_xid: string;
  horizon_position: string;
  scanned: number;
  last_xid: string | null;
  last_position: string | null;
  held: boolean;
  items: Array<{
    xid: string;
    position: string;
    type: string;
    occurred_at: string;
    session_id: string | null;
    encounter_id: string | null;
    status: SessionStatus | null;
    kind: ArtifactKind | null;
    previous_encounter_id: string | null;
    subscription_id: string | null;
  }>;
}

/**
 * Reads the feed in one statement, so its snapshot, its xmin and the retention horizon agree.
 * A plain SELECT gets no transaction id, so reading never holds xmin back for anyone. Served are
 * only events of transactions below xmin (see the change_feed migration for why that is
 * gap-free), after the cursor, in (xid, position) order: the primary key's order.
 */
const READ = `
  WITH frontier AS (SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint AS xmin),
  scanned AS (
    SELECT e.xid, e.position, e.type, e.occurred_at, e.session_id, e.encounter_id, e.status, e.kind, e.previous_encounter_id, e.subscription_id
    FROM events e, frontier f
    WHERE (e.xid, e.position) > ($1::bigint, $2::bigint) AND e.xid < f.xmin
    ORDER BY e.xid, e.position
    LIMIT $3::int
  ),
  matched AS (
    SELECT * FROM scanned WHERE $4::text[] IS NULL OR type = ANY($4::text[]) ORDER BY xid, position LIMIT $5::int
  ),
  last AS (SELECT xid, position FROM scanned ORDER BY xid DESC, position DESC LIMIT 1)
  SELECT f.xmin::text AS xmin, h.xid::text AS horizon_xid, h.position::text AS horizon_position,
         (SELECT count(*) FROM scanned)::int AS scanned,
         (SELECT xid::text FROM last) AS last_xid, (SELECT position::text FROM last) AS last_position,
         EXISTS (SELECT 1 FROM events e WHERE e.xid >= f.xmin) AS held,
         COALESCE((SELECT json_agg(json_build_object(
             'xid', m.xid::text, 'position', m.position::text, 'type', m.type,
             'occurred_at', to_char(m.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'session_id', m.session_id, 'encounter_id', m.encounter_id, 'status', m.status, 'kind', m.kind,
             'previous_encounter_id', m.previous_encounter_id,
             'subscription_id', m.subscription_id)
           ORDER BY m.xid, m.position) FROM matched m), '[]'::json) AS items
  FROM frontier f, event_horizon h WHERE h.id = 1`;

/** The lowest transaction id still active on the cluster: events below it are final (see READ). */
const XMIN = `SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint::text AS xmin`;

/**
 * How far the feed lags: seconds from the newest servable event (below xmin) to the newest
 * committed one that waits behind an older transaction still open; 0 when none waits. Both
 * lookups are ranges of the (xid, position) key. With nothing servable yet, the oldest waiting
 * event stands in for the newest servable one.
 */
const LAG = `
  WITH f AS (SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint AS xmin),
  waiting AS (SELECT max(e.occurred_at) AS newest, min(e.occurred_at) AS oldest FROM events e, f WHERE e.xid >= f.xmin),
  servable AS (SELECT e.occurred_at FROM events e, f WHERE e.xid < f.xmin ORDER BY e.xid DESC, e.position DESC LIMIT 1)
  SELECT COALESCE(GREATEST(0, EXTRACT(EPOCH FROM w.newest - COALESCE((SELECT occurred_at FROM servable), w.oldest))), 0)::float8 AS lag
  FROM waiting w`;

@Injectable()
export class EventsRepository {
  constructor(
    private readonly db: QueryDatabase,
    private readonly operations: OperationsDatabase,
  ) {}

  /** The cluster's xmin now: one cheap statement, shared by every long-poll waiting on it (feed-frontier.ts). */
  async xmin(): Promise<bigint> {
    const [row] = await this.db.rows<{ xmin: string }>('events_xmin', XMIN, []);
    return BigInt(row.xmin);
  }

  /** For /metrics, over the operations pool. */
  async lagSeconds(): Promise<number> {
    const [row] = await this.operations.rows<{ lag: number }>(LAG);
    return row.lag;
  }

  async read(after: FeedPosition, types: string[] | undefined, limit: number, scanLimit: number): Promise<FeedRead> {
    const [row] = await this.db.rows<Row>('events_read', READ, [
      after.xid.toString(),
      after.position.toString(),
      scanLimit,
      types ?? null,
      limit,
    ]);
    return {
      xmin: BigInt(row.xmin),
      horizon: { xid: BigInt(row.horizon_xid), position: BigInt(row.horizon_position) },
      scanned: row.scanned,
      lastScanned: row.last_xid && row.last_position ? { xid: BigInt(row.last_xid), position: BigInt(row.last_position) } : undefined,
      held: row.held,
      matched: row.items.map((item) => ({
        at: { xid: BigInt(item.xid), position: BigInt(item.position) },
        type: item.type,
        occurredAt: item.occurred_at,
        sessionId: item.session_id,
        encounterId: item.encounter_id,
        status: item.status,
        kind: item.kind,
        previousEncounterId: item.previous_encounter_id,
        subscriptionId: item.subscription_id,
      })),
    };
  }
}
