import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { QueryDatabase } from '../database/query-database';
import { FeedPosition } from '../events/event-cursor';
import { Lease, leaseFence } from '../leases/lease';
import { SubscriptionStatus } from '../generated/prisma/enums';

/** What the dispatcher of one subscription works from. */
export interface DispatchConfig {
  id: string;
  url: string;
  types: string[];
  status: SubscriptionStatus;
  maxInFlight: number;
  cursor: FeedPosition;
  epoch: number;
  version: number;
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
  failingSince: Date | null;
}

/** The check made before deliveries start: still active, unchanged, and the lease still ours for long enough. */
export interface StartCheck {
  status: SubscriptionStatus | null;
  epoch: number;
  version: number;
  leaseLeftMs: number | null;
}

/** One attempt, as recorded (never a response body). */
export interface AttemptRecord {
  eventId: string;
  sessionId: string | null;
  attemptedAt: Date;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
}

/** What one flush writes: the cursor, settled events past it, the failing state and the attempts since the last flush. */
export interface Flush {
  cursor: FeedPosition;
  settledBeyond: FeedPosition[];
  failingSince: Date | null;
  attempts: AttemptRecord[];
}

// The holder's writes: fenced by its lease generation and by the epoch it started from (a replay
// or new types move the cursor from outside; the holder's stale view must not move it back).
// Raw: one statement of data-modifying CTEs (one round trip per flush), unnest of arrays, the fence.
const FLUSH = `
  WITH moved AS (
    UPDATE subscriptions SET cursor_xid = $3, cursor_position = $4, failing_since = $5,
      last_attempt_at = COALESCE($6, last_attempt_at),
      last_attempt_status = CASE WHEN $6::timestamptz IS NULL THEN last_attempt_status ELSE $7 END,
      last_attempt_error = CASE WHEN $6::timestamptz IS NULL THEN last_attempt_error ELSE $8 END
    WHERE id = $1 AND epoch = $2 AND ${leaseFence('$9', '$10')}
    RETURNING id
  ), settled AS (
    INSERT INTO subscription_settled (subscription_id, xid, position)
    SELECT $1, x, p FROM unnest($11::bigint[], $12::bigint[]) AS u(x, p) WHERE EXISTS (SELECT 1 FROM moved)
    ON CONFLICT DO NOTHING
  ), cleared AS (
    DELETE FROM subscription_settled WHERE subscription_id = $1 AND (xid, position) <= ($3, $4) AND EXISTS (SELECT 1 FROM moved)
  ), attempts AS (
    INSERT INTO subscription_attempts (subscription_id, event_id, session_id, attempted_at, http_status, duration_ms, error)
    SELECT $1, e, n, a, s, d, r
    FROM unnest($13::text[], $14::timestamptz[], $15::int[], $16::int[], $17::text[], $18::text[]) AS u(e, a, s, d, r, n)
    WHERE EXISTS (SELECT 1 FROM subscriptions WHERE id = $1)
  )
  SELECT (SELECT count(*) FROM moved)::int AS moved`;

// Raw: the lease's time left on the database's clock, joined in the same named statement.
const CHECK = `
  SELECT s.status, s.epoch, s.version,
         (SELECT (EXTRACT(EPOCH FROM l.expires_at - now()) * 1000)::float8 FROM leases l WHERE l.name = $2 AND l.generation = $3) AS lease_left_ms
  FROM (SELECT 1) one LEFT JOIN subscriptions s ON s.id = $1`;

/** Every statement the dispatcher runs against subscriptions: loading, the start check, flushes, disabling. */
@Injectable()
export class DispatchRepository {
  constructor(
    private readonly db: PrismaService,
    private readonly reads: QueryDatabase,
  ) {}

  async load(id: string): Promise<{ config: DispatchConfig; settled: FeedPosition[] } | undefined> {
    const row = await this.db.subscription.findUnique({ where: { id }, include: { settled: true } });
    if (!row) return undefined;
    return {
      config: {
        id: row.id,
        url: row.url,
        types: row.types,
        status: row.status,
        maxInFlight: row.maxInFlight,
        cursor: { xid: row.cursorXid, position: row.cursorPosition },
        epoch: row.epoch,
        version: row.version,
        secret: row.secret,
        previousSecret: row.previousSecret,
        previousSecretUntil: row.previousSecretUntil,
        failingSince: row.failingSince,
      },
      settled: row.settled.map((s) => ({ xid: s.xid, position: s.position })),
    };
  }

  /** Ids of the subscriptions that should be dispatched. */
  async activeIds(): Promise<string[]> {
    const rows = await this.db.subscription.findMany({ where: { status: 'active' }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  async check(id: string, lease: Lease): Promise<StartCheck> {
    const [row] = await this.reads.rows<{
      status: SubscriptionStatus | null;
      epoch: number | null;
      version: number | null;
      lease_left_ms: number | null;
    }>('push_start_check', CHECK, [id, lease.name, lease.generation.toString()]);
    return { status: row.status, epoch: row.epoch ?? -1, version: row.version ?? -1, leaseLeftMs: row.lease_left_ms };
  }

  /** Writes a flush; false when the lease or the epoch moved on (nothing of the holder's view was written but the attempts). */
  async flush(id: string, epoch: number, lease: Lease, flush: Flush): Promise<boolean> {
    const last = flush.attempts[flush.attempts.length - 1];
    const rows = await this.db.$queryRawUnsafe<Array<{ moved: number }>>(
      FLUSH,
      id,
      epoch,
      flush.cursor.xid,
      flush.cursor.position,
      flush.failingSince,
      last?.attemptedAt ?? null,
      last?.httpStatus ?? null,
      last?.error ?? null,
      lease.name,
      lease.generation,
      flush.settledBeyond.map((at) => at.xid),
      flush.settledBeyond.map((at) => at.position),
      flush.attempts.map((a) => a.eventId),
      flush.attempts.map((a) => a.attemptedAt),
      flush.attempts.map((a) => a.httpStatus),
      flush.attempts.map((a) => a.durationMs),
      flush.attempts.map((a) => a.error),
      flush.attempts.map((a) => a.sessionId),
    );
    return rows[0].moved === 1;
  }

  /**
   * Disables the subscription (a 410, or failing since longer than `failingForMs` when given);
   * its trigger puts subscription.disabled on the feed in the same transaction. The cursor stays.
   */
  async disable(id: string, lease: Lease, failingForMs?: number): Promise<boolean> {
    const rows = await this.db.$queryRawUnsafe<Array<{ id: string }>>(
      `UPDATE subscriptions SET status = 'disabled', version = version + 1, updated_at = now()
       WHERE id = $1 AND status = 'active' AND ($4::int IS NULL OR failing_since <= now() - $4::int * interval '1 millisecond')
         AND ${leaseFence('$2', '$3')}
       RETURNING id`,
      id,
      lease.name,
      lease.generation,
      failingForMs ?? null,
    );
    return rows.length > 0;
  }
}
