import { Injectable } from '@nestjs/common';
import { OperationsDatabase } from '../database/operations-database';
import { RECONCILE_REQUESTED_AT } from '../database/reconcile-poll';
import { ArtifactKind } from '../generated/prisma/enums';
import { PendingBacklog } from './metrics.service';

/**
 * The gauges /metrics reads from the database, over the operations pool (never intake's), and
 * only as often as the scrape cache lets it (metrics.controller.ts).
 */
@Injectable()
export class ArtifactBacklogRepository {
  constructor(private readonly db: OperationsDatabase) {}

  /**
   * One aggregate over the pending artifacts. The age is measured from requested_at (the
   * generated-at of the notification that asked for the work), so a retried artifact keeps
   * ageing instead of looking fresh after every attempt; it is taken on the database's clock.
   */
  async pendingBacklog(): Promise<PendingBacklog> {
    const [row] = await this.db.rows<{ pending: number; oldest_age_seconds: number }>(
      `SELECT count(*)::int AS pending,
              COALESCE(EXTRACT(EPOCH FROM now() - min(requested_at)), 0)::float8 AS oldest_age_seconds
       FROM artifacts
       -- A missed-notification poll (requested_at 'epoch') is a schedule, not overdue work.
       WHERE status = 'pending' AND requested_at <> $1::timestamptz`,
      [RECONCILE_REQUESTED_AT],
    );
    return { pending: row.pending, oldestAgeSeconds: Math.max(0, row.oldest_age_seconds) };
  }

  /** The dead letters by kind; the (status, next_attempt_at) index finds the failed rows. */
  async failedByKind(): Promise<Map<ArtifactKind, number>> {
    const rows = await this.db.rows<{ kind: ArtifactKind; n: number }>(
      `SELECT kind::text AS kind, count(*)::int AS n FROM artifacts WHERE status = 'failed' GROUP BY kind`,
    );
    return new Map(rows.map((row) => [row.kind, row.n]));
  }
}
