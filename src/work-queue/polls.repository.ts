import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PrismaService } from '../database/prisma.service';
import { RECONCILE_REQUESTED_AT } from '../database/reconcile-poll';
import type { Prisma } from '../generated/prisma/client';
import { ClaimedArtifact } from './claimed-artifact';
import { failed, heldClaim, rescheduled, SESSION_UNRESOLVED, UNLEASED } from './queue-sql';

/** A session to register with its first missed-notification poll. */
export interface PolledSession {
  sessionId: string;
  encounterId: string;
  /** When it ended at Suki (ISO-8601), if the registrant said so; null if not. */
  endedAt: string | null;
  /** Suki's status endpoint for the session. */
  href: string;
}

/**
 * The missed-notification polls (docs/architecture.md, reconciliation): a `status` artifact
 * requested at 'epoch' (RECONCILE_REQUESTED_AT), written with the session a registration names,
 * moved when the registrant says when the session ended, polled again while Suki reports the
 * session in progress, and failed past the horizon. Every write of a claimed poll is conditional
 * on the claim still holding and on the session still having no outcome.
 */
@Injectable()
export class PollsRepository {
  constructor(
    private readonly db: PrismaService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Inserts the session, its encounter (or refreshes it) and its first poll, due
   * RECONCILE_AFTER_MS after the end (or now), all or nothing, in `tx`. False when the session
   * exists already (a concurrent writer made it first): nothing is inserted then.
   */
  async register(tx: Prisma.TransactionClient, { sessionId, encounterId, endedAt, href }: PolledSession): Promise<boolean> {
    const afterMs = this.config.reconcile.afterMs;
    // Raw: three inserts with their conflict rules in one statement (data-modifying CTEs).
    const [row] = await tx.$queryRaw<Array<{ inserted: number }>>`
      WITH encounter AS (
        INSERT INTO encounters (id, created_at, updated_at) VALUES (${encounterId}, now(), now())
        ON CONFLICT (id) DO UPDATE SET updated_at = GREATEST(encounters.updated_at, excluded.updated_at)
      ), session AS (
        INSERT INTO sessions (id, encounter_id, source, ended_at, created_at, updated_at)
        VALUES (${sessionId}, ${encounterId}, 'registered', ${endedAt}::timestamptz, now(), now())
        ON CONFLICT (id) DO NOTHING
        RETURNING id
      ), poll AS (
        INSERT INTO artifacts (kind, owner_id, session_id, encounter_id, status, href, next_attempt_at, requested_at, created_at, updated_at)
        SELECT 'status', session.id, session.id, ${encounterId}, 'pending', ${href},
               COALESCE(${endedAt}::timestamptz, now()) + ${afterMs}::float8 * interval '1 millisecond',
               ${RECONCILE_REQUESTED_AT}::timestamptz, now(), now()
        FROM session
        ON CONFLICT (owner_id, kind) DO NOTHING
      )
      SELECT (SELECT count(*) FROM session)::int AS inserted`;
    return row.inserted > 0;
  }

  /**
   * Records when a known session ended, in `tx`, and moves its poll to count from then if none
   * has been made yet (nothing else changes).
   */
  async recordEnd(tx: Prisma.TransactionClient, sessionId: string, endedAt: string): Promise<void> {
    const afterMs = this.config.reconcile.afterMs;
    // Raw: two tables in one statement, and times on the database's clock.
    await tx.$executeRaw`
      WITH session AS (UPDATE sessions SET ended_at = ${endedAt}::timestamptz WHERE id = ${sessionId})
      UPDATE artifacts SET next_attempt_at = ${endedAt}::timestamptz + ${afterMs}::float8 * interval '1 millisecond'
      WHERE owner_id = ${sessionId} AND kind = 'status' AND status = 'pending' AND attempts = 0
        AND requested_at = ${RECONCILE_REQUESTED_AT}::timestamptz AND ${UNLEASED}`;
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
      SET ${rescheduled(reason, delayMs)}
      WHERE ${heldClaim(job, 'a')}
        AND ${SESSION_UNRESOLVED}`;
    return written > 0;
  }

  /** Past the horizon, a session Suki still reports in progress is flagged: its poll fails (a dead letter). */
  async failUnresolved(job: ClaimedArtifact, reason: string): Promise<boolean> {
    // Raw: the fence needs an EXISTS on sessions and updated_at is the database's now().
    const written = await this.db.$executeRaw`
      UPDATE artifacts a
      SET ${failed(reason)}
      WHERE ${heldClaim(job, 'a')}
        AND ${SESSION_UNRESOLVED}`;
    return written > 0;
  }
}
