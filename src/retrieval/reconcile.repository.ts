import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { SessionStatus } from '../generated/prisma/enums';
import { Prisma } from '../generated/prisma/client';
import { ClaimedArtifact, heldClaim, queuedResults, ResultRequest, StatusSettlement } from './retrieval.repository';
import { storableJson } from './storable-json';

/**
 * The writes of missed-notification recovery (docs/architecture.md): a poll of a silent session
 * settles it, or schedules the next poll. Like every retrieval write, each is conditional on the
 * claim still holding (same generation, same lease).
 */
@Injectable()
export class ReconcileRepository {
  constructor(private readonly db: PrismaService) {}

  /**
   * Marks the poll ready and settles its session with Suki's final answer, as `reconciled`,
   * provided nothing is known of it yet (no notification and no status check reached it
   * meanwhile: those win). last_event_at stays NULL, because no vendor event was seen: any
   * notification of the session that still arrives applies over this settlement (intake's rule
   * applies an event over a session that reflects none). The encounter takes the status only when
   * it too reflects no vendor event; otherwise it keeps the session of the latest event.
   *
   * On `completed`, the session's results are queued in the same statement from the documented
   * paths, as a success notification would have queued them (so a crash cannot leave a completed
   * session with no note on its way). They are requested at now(): a newer notification's
   * request still takes them over, an older one leaves the fetched results alone.
   */
  async settle(job: ClaimedArtifact, data: unknown, status: SessionStatus, results: readonly ResultRequest[]): Promise<StatusSettlement> {
    // Raw: writes chained in one statement (data-modifying CTEs), which Prisma cannot express.
    const [row] = await this.db.$queryRaw<Array<{ written: number; settled: number; requested: number }>>`
      WITH done AS (
        UPDATE artifacts
        SET status = 'ready', data = ${storableJson(data)}::jsonb, fetched_at = now(), purged_at = NULL, last_error = NULL,
            locked_until = NULL, next_attempt_at = NULL, updated_at = now()
        WHERE ${heldClaim(job)}
        RETURNING session_id
      ), settled AS (
        UPDATE sessions s
        SET status = ${status}::"SessionStatus", source = 'reconciled', updated_at = GREATEST(s.updated_at, now())
        FROM done
        WHERE s.id = done.session_id AND s.status = 'pending' AND s.last_event_at IS NULL
        RETURNING s.id, s.encounter_id
      ), encounter AS (
        UPDATE encounters e
        SET status = CASE WHEN e.last_event_at IS NULL THEN ${status}::"SessionStatus" ELSE e.status END,
            updated_at = GREATEST(e.updated_at, now())
        FROM settled
        WHERE e.id = settled.encounter_id
        RETURNING e.id
      ), results AS (
        ${queuedResults(results, status, Prisma.raw('now()'))}
      )
      SELECT (SELECT count(*) FROM done)::int AS written, (SELECT count(*) FROM settled)::int AS settled,
             (SELECT count(*) FROM encounter)::int AS encounter, (SELECT count(*) FROM results)::int AS requested`;
    return { written: row.written > 0, settled: row.settled > 0, requested: row.requested };
  }

  /**
   * Suki says the session is still in progress: poll again after `delayMs`, but only while the
   * session is still without an outcome. False when the claim was lost or the session has
   * meanwhile been settled (by its notification, say): the caller then records the answer as a
   * plain status check.
   */

  async pollAgain(job: ClaimedArtifact, reason: string, delayMs: number): Promise<boolean> {
    // Raw: the next poll is now() + delay on the database's clock, and the fence needs an EXISTS on sessions.
    const written = await this.db.$executeRaw`
      UPDATE artifacts a
      SET last_error = ${reason}, next_attempt_at = now() + ${delayMs}::float8 * interval '1 millisecond',
          locked_until = NULL, updated_at = now()
      WHERE ${heldClaim(job, 'a')}
        AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = a.session_id AND s.status = 'pending' AND s.last_event_at IS NULL)`;
    return written > 0;
  }

  /** Past the horizon, a session Suki still reports in progress is flagged: its poll fails (a dead letter). */
  async failUnresolved(job: ClaimedArtifact, reason: string): Promise<boolean> {
    // Raw: the fence needs an EXISTS on sessions and updated_at is the database's now().
    const written = await this.db.$executeRaw`
      UPDATE artifacts a
      SET status = 'failed', last_error = ${reason}, locked_until = NULL, next_attempt_at = NULL, updated_at = now()
      WHERE ${heldClaim(job, 'a')}
        AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = a.session_id AND s.status = 'pending' AND s.last_event_at IS NULL)`;
    return written > 0;
  }
}
