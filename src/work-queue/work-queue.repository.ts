import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PrismaService } from '../database/prisma.service';
import { RECONCILE_REQUESTED_AT } from '../database/reconcile-poll';
import { Prisma } from '../generated/prisma/client';
import { ArtifactKind } from '../generated/prisma/enums';
import { ArtifactFilter, narrowedBy } from './artifact-filter';
import { ClaimedArtifact } from './claimed-artifact';
import { DUE_UNLEASED, failed, heldClaim, HELD_CLAIMS, markReady, rescheduled } from './queue-sql';

/** An artifact a retry reset: what its audit record names. */
export interface RetriedArtifact {
  sessionId: string | null;
  encounterId: string;
  kind: ArtifactKind;
}

/**
 * The artifacts table is the retrieval queue: the statements here claim rows, and complete,
 * reschedule, fail or hand back a claim, each conditional on the claim still holding (same
 * generation, same lease); an operator's retry resets failed rows. A newer request from intake
 * bumps the generation and so wins over a fetch begun for an older one.
 */
@Injectable()
export class WorkQueueRepository {
  /** Whether what this process fetches comes from the built-in simulator: stored with the data. */
  private readonly simulated: boolean;

  constructor(
    private readonly db: PrismaService,
    config: AppConfig,
  ) {
    this.simulated = config.suki.simulate;
  }

  /**
   * Leases up to `total` due artifacts and counts the attempt: results by priority (the
   * ArtifactKind order: the note first), first in, first out within a kind, but leaving up to
   * `checks` slots to the status checks that are due; checks (those a notification asked for
   * before missed-notification polls) then take what results left. Nothing unless every row
   * also passes `gate` (retrieval's: Suki's breaker and Retry-After pause).
   * SKIP LOCKED lets replicas claim side by side without waiting on each other; an expired lease
   * (a crashed worker) makes the row claimable again. The first attempt of a request (attempts
   * reset to 0 by intake's re-request or an operator's retry) starts its retry horizon.
   *
   * Each CTE is one ordered scan of the (status, kind, next_attempt_at, id) index, stopped by
   * its LIMIT (see the time_to_note migration); the rows picked are then updated by primary key,
   * and come back in that priority order (status checks, the last kind, after the results).
   */
  claim(total: number, checks: number, leaseMs: number, gate: Prisma.Sql): Promise<ClaimedArtifact[]> {
    // Raw: FOR UPDATE SKIP LOCKED, and an UPDATE … FROM a CTE, are beyond Prisma's API.
    return this.db.$queryRaw<ClaimedArtifact[]>`
      WITH reserved AS (
        SELECT count(*) AS n FROM (
          SELECT 1 FROM artifacts
          WHERE status = 'pending' AND kind = 'status' AND ${DUE_UNLEASED}
          LIMIT ${checks}::int
        ) due
      ), results AS (
        SELECT id FROM artifacts
        WHERE status = 'pending' AND kind <> 'status' AND ${DUE_UNLEASED} AND ${gate}
        ORDER BY kind, next_attempt_at, id
        LIMIT GREATEST(0, ${total}::int - (SELECT n FROM reserved))
        FOR UPDATE SKIP LOCKED
      ), notified AS (
        SELECT id FROM artifacts
        WHERE status = 'pending' AND kind = 'status' AND ${DUE_UNLEASED}
          AND requested_at <> ${RECONCILE_REQUESTED_AT}::timestamptz AND ${gate}
        ORDER BY next_attempt_at, id
        LIMIT GREATEST(0, ${total}::int - (SELECT count(*) FROM results))
        FOR UPDATE SKIP LOCKED
      ), polls AS (
        SELECT id FROM artifacts
        WHERE status = 'pending' AND kind = 'status' AND ${DUE_UNLEASED}
          AND requested_at = ${RECONCILE_REQUESTED_AT}::timestamptz AND ${gate}
        ORDER BY next_attempt_at, id
        LIMIT GREATEST(0, ${total}::int - (SELECT count(*) FROM results) - (SELECT count(*) FROM notified))
        FOR UPDATE SKIP LOCKED
      ), picked AS (
        SELECT id FROM results UNION ALL SELECT id FROM notified UNION ALL SELECT id FROM polls
      ), claimed AS (
        UPDATE artifacts a
        SET locked_until = now() + ${leaseMs}::float8 * interval '1 millisecond', attempts = a.attempts + 1,
            first_attempt_at = CASE WHEN a.attempts = 0 OR a.first_attempt_at IS NULL THEN now() ELSE a.first_attempt_at END
        -- An array, not a join: the planner cannot tell how few rows the CTEs give, and a join
        -- planned for many walked the whole primary key (25 ms at 240,000 rows; 2 ms this way).
        WHERE a.id = ANY(ARRAY(SELECT id FROM picked))
        RETURNING a.*
      )
      -- In the order the worker is to start them: RETURNING gives the rows in the order the
      -- update met them (by primary key), which put an earlier session's transcript ahead of a
      -- later session's note claimed in the same batch.
      SELECT id::text AS id, kind::text AS kind, owner_id AS "ownerId", session_id AS "sessionId",
             encounter_id AS "encounterId", href, attempts, generation, locked_until::text AS lease,
             GREATEST(0, EXTRACT(EPOCH FROM now() - first_attempt_at) * 1000)::float8 AS "elapsedMs",
             requested_at = ${RECONCILE_REQUESTED_AT}::timestamptz AS reconcile
      FROM claimed
      -- Qualified: unqualified, these would name the text columns selected above (alphabetical order).
      ORDER BY claimed.kind, claimed.next_attempt_at, claimed.id`;
  }

  /**
   * Stores a fetched result; the seconds since the artifact was queued (the notification's
   * acknowledgement) when it was still this claim's, undefined when not (superseded).
   */
  async complete(job: ClaimedArtifact, data: unknown): Promise<number | undefined> {
    // Raw: the times are the database's now(), as in the claim; updateMany would send the app's clock.
    const [row] = await this.db.$queryRaw<Array<{ waited: number }>>`
      UPDATE artifacts
      SET ${markReady(data, this.simulated)}
      WHERE ${heldClaim(job)}
      RETURNING GREATEST(0, EXTRACT(EPOCH FROM now() - created_at))::float8 AS waited`;
    return row?.waited;
  }

  async retryLater(job: ClaimedArtifact, reason: string, delayMs: number): Promise<boolean> {
    // Raw: the retry time is now() + delay on the database's clock, which the lease compares against.
    const written = await this.db.$executeRaw`
      UPDATE artifacts
      SET ${rescheduled(reason, delayMs)}
      WHERE ${heldClaim(job)}`;
    return written > 0;
  }

  async fail(job: ClaimedArtifact, reason: string): Promise<boolean> {
    // Raw: updated_at is the database's now(), like every other write of the queue.
    const written = await this.db.$executeRaw`
      UPDATE artifacts
      SET ${failed(reason)}
      WHERE ${heldClaim(job)}`;
    return written > 0;
  }

  /**
   * Hands claims back, so that another worker (or this one, later) takes them at once: calls a
   * shutdown interrupted, or (`started: false`) work claimed but never begun (an open breaker, a
   * pause), whose claim then does not count as an attempt: the backoff and the attempts an
   * operator sees count calls to Suki.
   */
  async release(jobs: readonly ClaimedArtifact[], { started }: { started: boolean }): Promise<number> {
    if (jobs.length === 0) return 0;
    // Raw: many fenced rows in one statement (UPDATE … FROM jsonb_to_recordset).
    const claims = JSON.stringify(jobs.map(({ id, generation, lease }) => ({ id, generation, lease })));
    // The claim set first_attempt_at when it made the first attempt: undone with it.
    const uncounted = started
      ? Prisma.empty
      : Prisma.sql`, attempts = GREATEST(a.attempts - 1, 0),
          first_attempt_at = CASE WHEN a.attempts <= 1 THEN NULL ELSE a.first_attempt_at END`;
    return this.db.$executeRaw`
      UPDATE artifacts a
      SET locked_until = NULL${uncounted}
      FROM jsonb_to_recordset(${claims}::jsonb) AS r(id bigint, generation int, lease timestamptz)
      WHERE ${HELD_CLAIMS}`;
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
  retryFailed(filter: Omit<ArtifactFilter, 'status'>, tx: Prisma.TransactionClient): Promise<RetriedArtifact[]> {
    // Raw: one statement text whatever the filters, and the reset rows in id order (an UPDATE's RETURNING has none).
    return tx.$queryRaw<RetriedArtifact[]>`
      WITH retried AS (
        UPDATE artifacts
        SET status = 'pending', attempts = 0, first_attempt_at = NULL, next_attempt_at = now(), locked_until = NULL,
            generation = generation + 1, updated_at = GREATEST(updated_at, now())
        WHERE status = 'failed'
          AND ${narrowedBy(filter)}
        RETURNING id, session_id, encounter_id, kind
      )
      SELECT session_id AS "sessionId", encounter_id AS "encounterId", kind::text AS kind FROM retried ORDER BY id`;
  }
}
