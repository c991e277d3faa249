import { Injectable } from '@nestjs/common';
import type { AuditAction, AuditActor } from '../audit/audit-entry';
import { PrismaService } from '../database/prisma.service';
import { ArtifactKind, ArtifactStatus } from '../generated/prisma/enums';

/** Which artifacts an operator means (service-spec §3.4); every field narrows, none widens. */
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
   * The audit is written by the same statement: one access_audit row per artifact reset (its
   * session, encounter and kind), or one row naming the filter when nothing matched. One
   * statement is one transaction, so a retry is never done unaudited and the audit never shows
   * a retry that did not happen; and 10,000 artifacts are one round trip, not 10,000. The
   * columns are those AuditRepository writes (src/audit), the table is append-only.
   */
  async retry(filter: Omit<ArtifactFilter, 'status'>, actor: AuditActor): Promise<number> {
    const f = params(filter);
    const action: AuditAction = 'artifacts.retry';
    // Raw: the reset and its audit in one statement (data-modifying CTEs), which Prisma cannot express.
    const [row] = await this.db.$queryRaw<Array<{ retried: number }>>`
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
      ), audited AS (
        INSERT INTO access_audit (client, action, session_id, encounter_id, kind, request_id, remote_address)
        SELECT ${actor.client}::text, ${action}::text, session_id, encounter_id, kind, ${actor.requestId}::text, ${actor.remoteAddress ?? null}::text
        FROM (SELECT * FROM retried ORDER BY id) AS ordered
        UNION ALL
        SELECT ${actor.client}::text, ${action}::text, ${f.sessionId}::text, ${f.encounterId}::text, ${f.kind}::"ArtifactKind",
               ${actor.requestId}::text, ${actor.remoteAddress ?? null}::text
        WHERE NOT EXISTS (SELECT 1 FROM retried)
      )
      -- Data-modifying CTEs run to completion whether or not the outer query reads them.
      SELECT count(*)::int AS retried FROM retried`;
    return row.retried;
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
