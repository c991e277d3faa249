import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { RECONCILE_REQUESTED_AT } from '../database/reconcile-poll';
import { ArtifactKind } from '../generated/prisma/enums';
import { PendingBacklog } from './metrics.service';

@Injectable()
export class ArtifactBacklogRepository {
  constructor(private readonly db: PrismaService) {}

  /**
   * One aggregate over the pending artifacts, run at each scrape. The age is measured from
   * requested_at (the generated-at of the notification that asked for the work), so a
   * retried artifact keeps ageing instead of looking fresh after every attempt.
   */
  async pendingBacklog(): Promise<PendingBacklog> {
    // Raw: the age is taken on the database's clock (now() - min), which Prisma's aggregate cannot say.
    const [row] = await this.db.$queryRaw<Array<{ pending: number; oldest_age_seconds: number }>>`
      SELECT count(*)::int AS pending,
             COALESCE(EXTRACT(EPOCH FROM now() - min(requested_at)), 0)::float8 AS oldest_age_seconds
      FROM artifacts
      -- A missed-notification poll (requested_at 'epoch') is a schedule, not overdue work.
      WHERE status = 'pending' AND requested_at <> ${RECONCILE_REQUESTED_AT}::timestamptz`;
    return { pending: row.pending, oldestAgeSeconds: Math.max(0, row.oldest_age_seconds) };
  }

  /** The dead letters by kind; the (status, next_attempt_at) index finds the failed rows. */
  async failedByKind(): Promise<Map<ArtifactKind, number>> {
    const rows = await this.db.artifact.groupBy({ by: ['kind'], where: { status: 'failed' }, _count: { _all: true } });
    return new Map(rows.map((row) => [row.kind, row._count._all]));
  }
}
