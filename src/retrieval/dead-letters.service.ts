import { Injectable } from '@nestjs/common';
import { WorkSignal } from '../common/work-signal';
import { decodeCursor, encodeCursor } from '../query/cursor';
import { pageScope } from '../query/keyset';
import { ArtifactFilter, ArtifactListItem, DeadLettersRepository, RetriedArtifact } from './dead-letters.repository';

export interface ArtifactPage {
  items: ArtifactListItem[];
  /** Pass as `cursor`, with the same filters, for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface RetryResult {
  retried: number;
  /** What was retried, for the audit (one record per artifact). */
  artifacts: RetriedArtifact[];
}

/** Thrown for a cursor this service did not issue for these filters; the endpoint answers 400. */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not a cursor this service issued for these filters (pass nextCursor verbatim, with the same filters)');
    this.name = 'InvalidCursorError';
  }
}

/**
 * Dead letters (service-spec §3.4), for the admin endpoints and the operator's CLI: list
 * artifacts (failed by default), and retry failed ones for a fresh horizon. The HTTP layer
 * (scope `admin`, the audit record of each retry) sits on top of this.
 */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly repository: DeadLettersRepository,
    private readonly workSignal: WorkSignal,
  ) {}

  async list(filter: ArtifactFilter, page: { limit: number; cursor?: string }): Promise<ArtifactPage> {
    const effective: ArtifactFilter = { ...filter, status: filter.status ?? 'failed' };
    const scope = pageScope('artifacts', scopeOf(effective));
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, scope);
    if (page.cursor !== undefined && !after) throw new InvalidCursorError();
    // One more than asked tells whether another page follows, without a count.
    const rows = await this.repository.list(effective, page.limit + 1, after);
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > page.limit && last ? encodeCursor({ updatedAt: last.updatedAt, id: last.id }, scope) : null;
    return { items, nextCursor };
  }

  /** Resets every failed artifact matching the filter (all of them for an empty one) to pending, and wakes the worker. */
  async retry(filter: Omit<ArtifactFilter, 'status'>): Promise<RetryResult> {
    const artifacts = await this.repository.retry(filter);
    if (artifacts.length > 0) this.workSignal.notify();
    return { retried: artifacts.length, artifacts };
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
