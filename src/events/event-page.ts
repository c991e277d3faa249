import { compare, FeedPosition, frontier, later } from './event-cursor';

/** What one read of the feed found: the matching events, and how far it looked. */
export interface FeedScan<T extends { at: FeedPosition }> {
  /** The reading snapshot's xmin: events of transactions below it are final. */
  xmin: bigint;
  /** The newest purged event; a cursor before it may have missed events. */
  horizon: FeedPosition;
  /** Events matching the types asked for, in order, at most `limit`. */
  matched: T[];
  /** How many events were looked at (matching or not), at most `scanLimit`. */
  scanned: number;
  lastScanned?: FeedPosition;
}

/**
 * Where the next read starts. A full page ends at its last event. Otherwise every event up to
 * the frontier has been looked at (unless the scan budget ran out first, when it ends where the
 * scan did), so a filtered consumer does not read the same unmatched events again.
 */
export function nextPosition<T extends { at: FeedPosition }>(
  after: FeedPosition,
  scan: FeedScan<T>,
  limit: number,
  scanLimit: number,
): FeedPosition {
  if (scan.matched.length >= limit) return scan.matched[scan.matched.length - 1].at;
  if (scan.scanned >= scanLimit && scan.lastScanned) return later(after, scan.lastScanned);
  return later(after, frontier(scan.xmin));
}

/** A cursor from before the newest purged event: events after it may be gone. */
export function isPurged(after: FeedPosition, horizon: FeedPosition): boolean {
  return compare(after, horizon) < 0;
}
