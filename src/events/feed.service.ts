import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { FeedPosition, FeedStart, ORIGIN } from './event-cursor';
import { isPurged, nextPosition } from './event-page';
import { FeedFrontier } from './feed-frontier';
import { FeedReader } from './feed-reader';
import { FeedMetrics } from './feed.metrics';
import { FeedWakeups } from './feed-wakeups';
import { StoredEvent } from './stored-event';

export interface FeedQuery {
  after: FeedStart;
  types?: string[];
  limit: number;
  waitMs: number;
  /** Aborted when the client went away: a long-poll then stops at once, and looks no more. */
  signal?: AbortSignal;
}

export type FeedAnswer = { gone: true } | { busy: true } | { gone: false; events: StoredEvent[]; next: FeedPosition };

/** A filtered read looks at this many events at most before answering with what it found. */
const FILTERED_SCAN = 5_000;

/**
 * One answer of GET /v1/events, long-polling when asked: an empty read waits for a wake-up
 * (another commit's NOTIFY), then looks again, until `waitMs` is up. A read that found events
 * held back by an older open transaction waits for the shared frontier probe instead
 * (feed-frontier.ts). No database connection is held while waiting: each look is one pooled
 * statement. At most EVENTS_MAX_WAITERS long-polls wait at once; past that, `busy`.
 */
@Injectable()
export class FeedService {
  private waiting = 0;

  constructor(
    private readonly reader: FeedReader,
    private readonly wakeups: FeedWakeups,
    private readonly frontier: FeedFrontier,
    private readonly metrics: FeedMetrics,
    private readonly config: AppConfig,
  ) {}

  async read(query: FeedQuery): Promise<FeedAnswer> {
    if (query.waitMs <= 0) return this.look(query);
    if (this.waiting >= this.config.eventsMaxWaiters) {
      this.metrics.waitersRefused.inc();
      return { busy: true };
    }
    this.waiting += 1;
    this.metrics.waiters.inc();
    try {
      return await this.look(query);
    } finally {
      this.waiting -= 1;
      this.metrics.waiters.dec();
    }
  }

  private async look(query: FeedQuery): Promise<FeedAnswer> {
    const deadline = Date.now() + query.waitMs;
    const scanLimit = query.types ? Math.max(query.limit, FILTERED_SCAN) : query.limit;
    let after = await this.startingPoint(query.after);
    for (;;) {
      const seen = this.wakeups.generation;
      const read = await this.reader.read(after, query.types, query.limit, scanLimit);
      if (query.after.from === 'cursor' && after === query.after.at && isPurged(after, read.horizon)) return { gone: true };
      after = nextPosition(after, read, query.limit, scanLimit);
      const left = deadline - Date.now();
      if (read.matched.length > 0 || left <= 0 || this.wakeups.closed || query.signal?.aborted) {
        return { gone: false, events: read.matched, next: after };
      }
      if (read.held) await this.frontier.waitPast(read.xmin, left, query.signal);
      else await this.wakeups.wait(seen, left, query.signal);
      // Nobody is there to answer: look no more.
      if (query.signal?.aborted) return { gone: false, events: [], next: after };
    }
  }

  private async startingPoint(after: FeedStart): Promise<FeedPosition> {
    if (after.from === 'cursor') return after.at;
    // The oldest retained event follows the horizon; events at or before it are gone.
    if (after.from === 'start') return ORIGIN;
    return this.reader.now();
  }
}
