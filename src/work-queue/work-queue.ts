import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { SessionStatus } from '../generated/prisma/enums';
import { ArtifactFilter } from './artifact-filter';
import { ClaimedArtifact, ResultRequest, StatusSettlement } from './claimed-artifact';
import { PolledSession, PollsRepository } from './polls.repository';
import { SettlementsRepository } from './settlements.repository';
import { RetriedArtifact, WorkQueueRepository } from './work-queue.repository';

export type { ClaimedArtifact, ResultRequest, StatusSettlement } from './claimed-artifact';
export type { PolledSession } from './polls.repository';
export type { RetriedArtifact } from './work-queue.repository';

/**
 * The artifacts queue, for the features that work it: retrieval claims and records, the dead
 * letters reset, registration writes the missed-notification poll. Every statement that writes
 * an artifact's queue state is in this folder's repositories (the why of each is there); intake
 * queues artifacts in its SQL function.
 */
@Injectable()
export class WorkQueue {
  constructor(
    private readonly queue: WorkQueueRepository,
    private readonly settlements: SettlementsRepository,
    private readonly polls: PollsRepository,
  ) {}

  claim(total: number, checks: number, leaseMs: number, gate: Prisma.Sql): Promise<ClaimedArtifact[]> {
    return this.queue.claim(total, checks, leaseMs, gate);
  }

  complete(job: ClaimedArtifact, data: unknown): Promise<number | undefined> {
    return this.queue.complete(job, data);
  }

  retryLater(job: ClaimedArtifact, reason: string, delayMs: number): Promise<boolean> {
    return this.queue.retryLater(job, reason, delayMs);
  }

  fail(job: ClaimedArtifact, reason: string): Promise<boolean> {
    return this.queue.fail(job, reason);
  }

  release(jobs: readonly ClaimedArtifact[], claim: { started: boolean }): Promise<number> {
    return this.queue.release(jobs, claim);
  }

  retryFailed(filter: Omit<ArtifactFilter, 'status'>, tx: Prisma.TransactionClient): Promise<RetriedArtifact[]> {
    return this.queue.retryFailed(filter, tx);
  }

  completeStatusCheck(
    job: ClaimedArtifact,
    data: unknown,
    status: SessionStatus | undefined,
    results: readonly ResultRequest[],
  ): Promise<StatusSettlement> {
    return this.settlements.completeStatusCheck(job, data, status, results);
  }

  settlePoll(job: ClaimedArtifact, data: unknown, status: SessionStatus, results: readonly ResultRequest[]): Promise<StatusSettlement> {
    return this.settlements.settlePoll(job, data, status, results);
  }

  pollAgain(job: ClaimedArtifact, reason: string, delayMs: number): Promise<boolean> {
    return this.polls.pollAgain(job, reason, delayMs);
  }

  failUnresolved(job: ClaimedArtifact, reason: string): Promise<boolean> {
    return this.polls.failUnresolved(job, reason);
  }

  registerPolled(tx: Prisma.TransactionClient, session: PolledSession): Promise<boolean> {
    return this.polls.register(tx, session);
  }

  recordEnd(tx: Prisma.TransactionClient, sessionId: string, endedAt: string): Promise<void> {
    return this.polls.recordEnd(tx, sessionId, endedAt);
  }
}
