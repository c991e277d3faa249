import { Injectable } from '@nestjs/common';
import { OperationsDatabase } from '../database/operations-database';
import { ArtifactKind } from '../generated/prisma/enums';
import { RECONCILE_REQUESTED_AT } from '../database/reconcile-poll';

export interface KindDepth {
  kind: ArtifactKind;
  /** Pending artifacts of the kind, due or not. */
  pending: number;
  /** Seconds since the oldest pending one was queued; 0 when none. */
  oldestSeconds: number;
}

@Injectable()
export class QueueDepthRepository {
  /** Over the operations pool: a scrape never takes one of intake's connections. */
  constructor(private readonly db: OperationsDatabase) {}

  /**
   * The retrieval queue by kind, at scrape time: one aggregate over the pending rows, which the
   * (status, kind, …) index finds. Age from created_at (when the notification asking for it was
   * acknowledged), so a retried artifact keeps ageing; missed-notification polls, a schedule
   * rather than overdue work, are left out.
   */
  byKind(): Promise<KindDepth[]> {
    // The age is taken on the database's clock (now() - min), which Prisma's aggregate cannot say.
    return this.db.rows<KindDepth>(
      `SELECT kind::text AS kind, count(*)::int AS pending,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS "oldestSeconds"
       FROM artifacts
       WHERE status = 'pending' AND requested_at <> $1::timestamptz
       GROUP BY kind`,
      [RECONCILE_REQUESTED_AT],
    );
  }
}
