import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { statusCheck } from '../webhooks/handlers/notification-handler';
import { WorkQueue } from '../work-queue/work-queue';
import { Registration } from './register-session.input';

export type RegistrationResult = 'created' | 'known' | { conflict: string };

/** A concurrent writer (intake, another registration) made the session first: read it again. */
class RegisteredMeanwhile extends Error {}

/**
 * Registers an expected session (PUT /v1/sessions/{sessionId}, docs/api.md): the session, its encounter and its
 * missed-notification poll (a `status` artifact requested at 'epoch', see the reconcile
 * migration), all or nothing. The statements that write the poll are the work queue's.
 */
@Injectable()
export class RegistrationRepository {
  constructor(
    private readonly db: PrismaService,
    private readonly queue: WorkQueue,
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
    return this.db.$transaction(async (tx) => {
      // Raw: a row lock (FOR UPDATE), which Prisma's reads do not take.
      const [known] = await tx.$queryRaw<Array<{ encounter_id: string }>>`
        SELECT encounter_id FROM sessions WHERE id = ${sessionId} FOR UPDATE`;
      if (known && known.encounter_id !== encounterId) return { conflict: known.encounter_id };
      if (known) {
        if (ended === null) return 'known';
        // Recorded, and a poll not yet made is moved to count from the end (nothing else changes).
        await this.queue.recordEnd(tx, sessionId, ended);
        return 'known';
      }
      const href = statusCheck(sessionId).href;
      if (!(await this.queue.registerPolled(tx, { sessionId, encounterId, endedAt: ended, href }))) throw new RegisteredMeanwhile();
      return 'created';
    });
  }
}
