import { Injectable } from '@nestjs/common';
import { FeedPosition, frontier } from './event-cursor';
import { EventsRepository } from './events.repository';
import { FeedRead } from './stored-event';

const BEYOND_EVERYTHING: FeedPosition = { xid: 9_223_372_036_854_775_807n, position: 9_223_372_036_854_775_807n };

/**
 * The feed as a reader sees it: a read after a position, and where "now" is. Push delivery reads
 * the feed through this class, so the events repository stays inside this folder.
 */
@Injectable()
export class FeedReader {
  constructor(private readonly events: EventsRepository) {}

  /** Up to `limit` events of `types` (all when undefined) after `after`, looking at `scanLimit` at most. */
  read(after: FeedPosition, types: string[] | undefined, limit: number, scanLimit: number): Promise<FeedRead> {
    return this.events.read(after, types, limit, scanLimit);
  }

  /** The frontier now: past every event that is final at this instant (a read that asks for nothing). */
  async now(): Promise<FeedPosition> {
    const probe = await this.events.read(BEYOND_EVERYTHING, undefined, 1, 1);
    return frontier(probe.xmin);
  }
}
