import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import type { AuditActor } from '../api/actor';
import { AuditService } from '../audit/audit.service';
import { describeError } from '../common/http-error';
import { WorkSignal } from '../common/work-signal';
import { decodeCursor, encodeCursor, isBigintId } from '../api/cursor';
import { pageScope } from '../api/keyset';
import { ArtifactFilter } from '../work-queue/artifact-filter';
import { WorkQueue } from '../work-queue/work-queue';
import { ArtifactListItem, DeadLettersRepository } from './dead-letters.repository';

/** The dead letters' filter, as callers outside retrieval name it. */
export type { ArtifactFilter } from '../work-queue/artifact-filter';

export interface ArtifactPage {
  items: ArtifactListItem[];
  /** Pass as `cursor`, with the same filters, for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface RetryResult {
  retried: number;
}

/** Thrown for a cursor this service did not issue for these filters; the endpoint answers 400. */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not a cursor this service issued for these filters (pass nextCursor verbatim, with the same filters)');
    this.name = 'InvalidCursorError';
  }
}

/**
 * Dead letters (docs/api.md), for the admin endpoints and the operator's CLI: list
 * artifacts (failed by default), and retry failed ones for a fresh horizon, audited in the
 * transaction that resets them. The HTTP layer (scope `admin`) sits on top of this.
 */
@Injectable()
export class DeadLettersService {
  private readonly logger = new Logger(DeadLettersService.name);

  constructor(
    private readonly repository: DeadLettersRepository,
    private readonly queue: WorkQueue,
    private readonly workSignal: WorkSignal,
    private readonly audit: AuditService,
  ) {}

  async list(filter: ArtifactFilter, page: { limit: number; cursor?: string }): Promise<ArtifactPage> {
    const effective: ArtifactFilter = { ...filter, status: filter.status ?? 'failed' };
    const scope = pageScope('artifacts', scopeOf(effective));
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, scope, isBigintId);
    if (page.cursor !== undefined && !after) throw new InvalidCursorError();
    // One more than asked tells whether another page follows, without a count.
    const rows = await this.repository.list(effective, page.limit + 1, after);
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > page.limit && last ? encodeCursor({ updatedAt: last.updatedAt, id: last.id }, scope) : null;
    return { items, nextCursor };
  }

  /** How many failed artifacts `retry` with this filter would reset if called now. */
  countRetryable(filter: Omit<ArtifactFilter, 'status'>): Promise<number> {
    return this.repository.countFailed(filter);
  }

  /**
   * Resets every failed artifact matching the filter (all of them for an empty one) to pending,
   * with an audit record of each, and wakes the worker. Resolves once both are committed; when
   * they cannot be, neither happened, and the caller gets 503.
   */
  async retry(filter: Omit<ArtifactFilter, 'status'>, actor: AuditActor): Promise<RetryResult> {
    let retried: number;
    try {
      // One audit record per artifact reset, or one naming the filter when nothing matched.
      const requested = { sessionId: filter.sessionId, encounterId: filter.encounterId, kind: filter.kind };
      retried = (await this.audit.recordChange(actor, 'artifacts.retry', requested, (tx) => this.queue.retryFailed(filter, tx))).length;
    } catch (error) {
      this.logger.warn(`retry not committed (${describeError(error)}): client=${actor.client}`);
      throw new ServiceUnavailableException('the retry and its audit could not be committed, so nothing was retried; try again');
    }
    if (retried > 0) this.workSignal.notify();
    this.logger.log(`retry by client=${actor.client}: ${retried} failed artifact(s) reset to pending`);
    return { retried };
  }
}

function scopeOf(filter: ArtifactFilter): Record<string, string | undefined> {
  return {
    status: filter.status,
    kind: filter.kind,
    sessionId: filter.sessionId,
    encounterId: filter.encounterId,
    updatedSince: filter.updatedSince?.toISOString(),
    updatedBefore: filter.updatedBefore?.toISOString(),
  };
}
