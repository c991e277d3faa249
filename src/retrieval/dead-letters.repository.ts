import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { ArtifactKind, ArtifactStatus } from '../generated/prisma/enums';
import { ArtifactFilter, narrowedBy } from '../work-queue/artifact-filter';

export interface ArtifactListItem {
  id: string;
  sessionId: string | null;
  encounterId: string;
  kind: ArtifactKind;
  status: ArtifactStatus;
  attempts: number;
  lastError: string | null;
  updatedAt: Date;
}

/**
 * The operator's view of retrieval: list artifacts (the failed ones above all) newest first in
 * keyset pages over (updated_at, id), and count the failed ones a retry would reset (the retry
 * itself is the work queue's, under the same conditions). Failed artifacts are few and the
 * (status, next_attempt_at) index finds them.
 */
@Injectable()
export class DeadLettersRepository {
  constructor(private readonly db: PrismaService) {}

  list(filter: ArtifactFilter, limit: number, after?: { updatedAt: Date; id: string }): Promise<ArtifactListItem[]> {
    const status = filter.status ?? null;
    // Raw: one statement text whatever the filters (typed NULL-or-equal parameters), and a row-value keyset.
    return this.db.$queryRaw<ArtifactListItem[]>`
      SELECT id::text AS id, session_id AS "sessionId", encounter_id AS "encounterId", kind::text AS kind, status::text AS status,
             attempts, last_error AS "lastError", updated_at AS "updatedAt"
      FROM artifacts
      WHERE (${status}::"ArtifactStatus" IS NULL OR status = ${status}::"ArtifactStatus")
        AND ${narrowedBy(filter)}
        AND (${after?.updatedAt.toISOString() ?? null}::timestamptz IS NULL
             OR (updated_at, id) < (${after?.updatedAt.toISOString() ?? null}::timestamptz, ${after?.id ?? null}::bigint))
      ORDER BY updated_at DESC, id DESC
      LIMIT ${limit}::int`;
  }

  /** How many failed artifacts a retry with this filter would reset now (the console asks before it retries). */
  async countFailed(filter: Omit<ArtifactFilter, 'status'>): Promise<number> {
    // Raw: the same typed NULL-or-equal conditions as the retry (WorkQueue.retryFailed), so the count is of what it resets.
    const [row] = await this.db.$queryRaw<Array<{ count: number }>>`
      SELECT count(*)::int AS count FROM artifacts
      WHERE status = 'failed'
        AND ${narrowedBy(filter)}`;
    return row.count;
  }
}
