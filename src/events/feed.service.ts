import { Injectable } from '@nestjs/common';
import { FeedPosition, FeedStart, frontier, ORIGIN } from './event-cursor';
import { isPurged, nextPosition } from './event-page';
import { EventsRepository, StoredEvent } from './events.repository';
import { FeedWakeups } from './feed-wakeups';

export interface FeedQuery {
  after: FeedStart;
  types?: string[];
  limit: number;
  waitMs: number;
}

export type FeedAnswer = { gone: true } | { gone: false; events: StoredEvent[]; next: FeedPosition };

/** A filtered read looks at this many events at most before answering with what it found. */
const FILTERED_SCAN = 5_000;
/** How soon to look again while committed events wait behind an older transaction still open. */
const HELD_RECHECK_MS = 200;
const BEYOND_EVERYTHING: FeedPosition = { xid: 9_223_372_036_854_775_807n, position: 9_223_372_036_854_775_807n };

/**
 * One answer of GET /v1/events, long-polling when asked: an empty read waits for a wake-up
 * (another commit's NOTIFY), then looks again, until `waitMs` is up. No database connection is
 * held while waiting: each look is one pooled statement.
 */
@Injectable()
export class FeedService {
  constructor(
    private readonly events: EventsRepository,
    private readonly wakeups: FeedWakeups,
  ) {}

  async read(query: FeedQuery): Promise<FeedAnswer> {
    const deadline = Date.now() + query.waitMs;
    const scanLimit = query.types ? Math.max(query.limit, FILTERED_SCAN) : query.limit;
    let after = await this.startingPoint(query.after);
    for (;;) {
      const seen = this.wakeups.generation;
      const read = await this.events.read(after, query.types, query.limit, scanLimit);
      if (query.after.from === 'cursor' && after === query.after.at && isPurged(after, read.horizon)) return { gone: true };
      after = nextPosition(after, read, query.limit, scanLimit);
      const left = deadline - Date.now();
      if (read.matched.length > 0 || left <= 0 || this.wakeups.closed) return { gone: false, events: read.matched, next: after };
      await this.wakeups.wait(seen, read.held ? Math.min(left, HELD_RECHECK_MS) : left);
    }
  }

  private async startingPoint(after: FeedStart): Promise<FeedPosition> {
    if (after.from === 'cursor') return after.at;
    // The oldest retained event follows the horizon; events at or before it are gone.
    if (after.from === 'start') return ORIGIN;
    const probe = await this.events.read(BEYOND_EVERYTHING, undefined, 1, 1);
    return frontier(probe.xmin);
  }
}
