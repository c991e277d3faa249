import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { Prisma } from '../generated/prisma/client';
import { ArtifactKind, ArtifactStatus } from '../generated/prisma/enums';

/** Which artifacts an operator means (docs/api.md, Dead letters); every field narrows, none widens. */
export interface ArtifactFilter {
  status?: ArtifactStatus;
  kind?: ArtifactKind;
  sessionId?: string;
  encounterId?: string;
  /** Updated at or after. */
  updatedSince?: Date;
  /** Updated before. */
  updatedBefore?: Date;
}

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

/** An artifact a retry reset: what its audit record names. */
export interface RetriedArtifact {
  sessionId: string | null;
  encounterId: string;
  kind: ArtifactKind;
}

/**
 * The operator's view of retrieval: list artifacts (the failed ones above all) newest first in
 * keyset pages over (updated_at, id), and put failed ones back to work. Each filter is a typed
 * parameter that is either null (not asked for) or compared, so there is one statement text
 * whatever the filters; failed artifacts are few and the (status, next_attempt_at) index finds them.
 */
@Injectable()
export class DeadLettersRepository {
  constructor(private readonly db: PrismaService) {}

  list(filter: ArtifactFilter, limit: number, after?: { updatedAt: Date; id: string }): Promise<ArtifactListItem[]> {
    const f = params(filter);
    // Raw: one statement text whatever the filters (typed NULL-or-equal parameters), and a row-value keyset.
    return this.db.$queryRaw<ArtifactListItem[]>`
      SELECT id::text AS id, session_id AS "sessionId", encounter_id AS "encounterId", kind::text AS kind, status::text AS status,
             attempts, last_error AS "lastError", updated_at AS "updatedAt"
      FROM artifacts
      WHERE (${f.status}::"ArtifactStatus" IS NULL OR status = ${f.status}::"ArtifactStatus")
        AND (${f.kind}::"ArtifactKind" IS NULL OR kind = ${f.kind}::"ArtifactKind")
        AND (${f.sessionId}::text IS NULL OR session_id = ${f.sessionId}::text)
        AND (${f.encounterId}::text IS NULL OR encounter_id = ${f.encounterId}::text)
        AND (${f.updatedSince}::timestamptz IS NULL OR updated_at >= ${f.updatedSince}::timestamptz)
        AND (${f.updatedBefore}::timestamptz IS NULL OR updated_at < ${f.updatedBefore}::timestamptz)
        AND (${after?.updatedAt.toISOString() ?? null}::timestamptz IS NULL
             OR (updated_at, id) < (${after?.updatedAt.toISOString() ?? null}::timestamptz, ${after?.id ?? null}::bigint))
      ORDER BY updated_at DESC, id DESC
      LIMIT ${limit}::int`;
  }

  /** How many failed artifacts a retry with this filter would reset now (the console asks before it retries). */
  async countFailed(filter: Omit<ArtifactFilter, 'status'>): Promise<number> {
    const f = params(filter);
    // Raw: the same typed NULL-or-equal conditions as retry() below, so the count is of what it resets.
    const [row] = await this.db.$queryRaw<Array<{ count: number }>>`
      SELECT count(*)::int AS count FROM artifacts
      WHERE status = 'failed'
        AND (${f.kind}::"ArtifactKind" IS NULL OR kind = ${f.kind}::"ArtifactKind")
        AND (${f.sessionId}::text IS NULL OR session_id = ${f.sessionId}::text)
        AND (${f.encounterId}::text IS NULL OR encounter_id = ${f.encounterId}::text)
        AND (${f.updatedSince}::timestamptz IS NULL OR updated_at >= ${f.updatedSince}::timestamptz)
        AND (${f.updatedBefore}::timestamptz IS NULL OR updated_at < ${f.updatedBefore}::timestamptz)`;
    return row.count;
  }

  /**
   * Resets the matching failed artifacts to pending, due now, for a fresh retry horizon:
   * attempts back to 0 (so the next claim starts the horizon again) and a new generation (so
   * nothing begun for the old request can write over the new one). last_error stays until the
   * next attempt replaces it, so the reason it had failed remains visible meanwhile.
   *
   * Runs in `tx`, the transaction the audit of the retry is written in (AuditService.recordChange),
   * and answers the artifacts reset in id order, one statement whatever their number.
   */
  retry(filter: Omit<ArtifactFilter, 'status'>, tx: Prisma.TransactionClient): Promise<RetriedArtifact[]> {
    const f = params(filter);
    // Raw: one statement text whatever the filters, and the reset rows in id order (an UPDATE's RETURNING has none).
    return tx.$queryRaw<RetriedArtifact[]>`
      WITH retried AS (
        UPDATE artifacts
        SET status = 'pending', attempts = 0, first_attempt_at = NULL, next_attempt_at = now(), locked_until = NULL,
            generation = generation + 1, updated_at = GREATEST(updated_at, now())
        WHERE status = 'failed'
          AND (${f.kind}::"ArtifactKind" IS NULL OR kind = ${f.kind}::"ArtifactKind")
          AND (${f.sessionId}::text IS NULL OR session_id = ${f.sessionId}::text)
          AND (${f.encounterId}::text IS NULL OR encounter_id = ${f.encounterId}::text)
          AND (${f.updatedSince}::timestamptz IS NULL OR updated_at >= ${f.updatedSince}::timestamptz)
          AND (${f.updatedBefore}::timestamptz IS NULL OR updated_at < ${f.updatedBefore}::timestamptz)
        RETURNING id, session_id, encounter_id, kind
      )
      SELECT session_id AS "sessionId", encounter_id AS "encounterId", kind::text AS kind FROM retried ORDER BY id`;
  }
}

function params(filter: ArtifactFilter) {
  return {
    status: filter.status ?? null,
    kind: filter.kind ?? null,
    sessionId: filter.sessionId ?? null,
    encounterId: filter.encounterId ?? null,
    updatedSince: filter.updatedSince?.toISOString() ?? null,
    updatedBefore: filter.updatedBefore?.toISOString() ?? null,
  };
}
