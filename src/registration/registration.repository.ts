import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PrismaService } from '../database/prisma.service';
import { RECONCILE_REQUESTED_AT } from '../database/reconcile-poll';
import { statusCheck } from '../webhooks/handlers/notification-handler';
import { Registration } from './register-session.input';

export type RegistrationResult = 'created' | 'known' | { conflict: string };

/** A concurrent writer (intake, another registration) made the session first: read it again. */
class RegisteredMeanwhile extends Error {}

/**
 * Registers an expected session (PUT /v1/sessions/{sessionId}, docs/api.md): the session, its encounter and its
 * missed-notification poll (a `status` artifact requested at 'epoch', see the reconcile
 * migration), all or nothing.
 */
@Injectable()
export class RegistrationRepository {
  constructor(
    private readonly db: PrismaService,
    private readonly config: AppConfig,
  ) {}

  async register(sessionId: string, registration: Registration): Promise<RegistrationResult> {
    try {
      return await this.attempt(sessionId, registration);
    } catch (error) {
      // Rolled back, encounter included: the second attempt finds the session and answers as for a known one.
      if (error instanceof RegisteredMeanwhile) return this.attempt(sessionId, registration);
      throw error;
    }
  }

  private attempt(sessionId: string, { encounterId, endedAt }: Registration): Promise<RegistrationResult> {
    const ended = endedAt?.toISOString() ?? null;
    const afterMs = this.config.reconcile.afterMs;
    return this.db.$transaction(async (tx) => {
      // Raw: a row lock (FOR UPDATE), which Prisma's reads do not take.
      const [known] = await tx.$queryRaw<Array<{ encounter_id: string }>>`
        SELECT encounter_id FROM sessions WHERE id = ${sessionId} FOR UPDATE`;
      if (known && known.encounter_id !== encounterId) return { conflict: known.encounter_id };
      if (known) {
        if (ended === null) return 'known';
        // Recorded, and a poll not yet made is moved to count from the end (nothing else changes).
        // Raw: two tables in one statement, and times on the database's clock.
        await tx.$executeRaw`
          WITH session AS (UPDATE sessions SET ended_at = ${ended}::timestamptz WHERE id = ${sessionId})
          UPDATE artifacts SET next_attempt_at = ${ended}::timestamptz + ${afterMs}::float8 * interval '1 millisecond'
          WHERE owner_id = ${sessionId} AND kind = 'status' AND status = 'pending' AND attempts = 0
            AND requested_at = ${RECONCILE_REQUESTED_AT}::timestamptz AND (locked_until IS NULL OR locked_until < now())`;
        return 'known';
      }
      // Raw: three inserts with their conflict rules in one statement (data-modifying CTEs).
      const [row] = await tx.$queryRaw<Array<{ inserted: number }>>`
        WITH encounter AS (
          INSERT INTO encounters (id, created_at, updated_at) VALUES (${encounterId}, now(), now())
          ON CONFLICT (id) DO UPDATE SET updated_at = GREATEST(encounters.updated_at, excluded.updated_at)
        ), session AS (
          INSERT INTO sessions (id, encounter_id, source, ended_at, created_at, updated_at)
          VALUES (${sessionId}, ${encounterId}, 'registered', ${ended}::timestamptz, now(), now())
          ON CONFLICT (id) DO NOTHING
          RETURNING id
        ), poll AS (
          INSERT INTO artifacts (kind, owner_id, session_id, encounter_id, status, href, next_attempt_at, requested_at, created_at, updated_at)
          SELECT 'status', session.id, session.id, ${encounterId}, 'pending', ${statusCheck(sessionId).href},
                 COALESCE(${ended}::timestamptz, now()) + ${afterMs}::float8 * interval '1 millisecond',
                 ${RECONCILE_REQUESTED_AT}::timestamptz, now(), now()
          FROM session
          ON CONFLICT (owner_id, kind) DO NOTHING
        )
        SELECT (SELECT count(*) FROM session)::int AS inserted`;
      if (row.inserted === 0) throw new RegisteredMeanwhile();
      return 'created';
    });
  }
}
