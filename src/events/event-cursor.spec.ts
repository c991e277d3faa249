import { compare, decodeFeedCursor, encodeFeedCursor, FeedPosition, frontier, readAfter } from './event-cursor';
import { isPurged, nextPosition } from './event-page';

const at = (xid: number, position: number): FeedPosition => ({ xid: BigInt(xid), position: BigInt(position) });
const MAX = 9_223_372_036_854_775_807n;

describe('feed cursor', () => {
  it.each([at(0, 0), at(5414, 1), { xid: MAX, position: MAX }])('round-trips %p', (position) => {
    expect(decodeFeedCursor(encodeFeedCursor(position))).toEqual(position);
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['no check', Buffer.from('1:2').toString('base64url')],
    ['a wrong check', `${Buffer.from('1:2').toString('base64url')}.AAAAAAAAAAAAAAAA`],
    ['an altered payload', encodeFeedCursor(at(1, 2)).replace(/^./, 'X')],
    ['an extra part', `${encodeFeedCursor(at(1, 2))}.x`],
    ['too long', 'x'.repeat(200)],
  ])('refuses %s', (_case, cursor) => {
    expect(decodeFeedCursor(cursor)).toBeUndefined();
  });

  it('reads after= as start (also when absent), now, or a cursor', () => {
    expect(readAfter(undefined)).toEqual({ from: 'start' });
    expect(readAfter('start')).toEqual({ from: 'start' });
    expect(readAfter('now')).toEqual({ from: 'now' });
    expect(readAfter(encodeFeedCursor(at(7, 9)))).toEqual({ from: 'cursor', at: at(7, 9) });
    expect(readAfter('yesterday')).toBeUndefined();
  });

  it('orders by transaction first, then position', () => {
    expect(compare(at(1, 100), at(2, 1))).toBe(-1);
    expect(compare(at(2, 1), at(2, 2))).toBe(-1);
    expect(compare(at(2, 2), at(2, 2))).toBe(0);
    expect(compare(frontier(10n), at(9, 1_000_000))).toBe(1);
    expect(compare(frontier(10n), at(10, 0))).toBe(-1);
  });
});

describe('next position', () => {
  const scan = (matched: FeedPosition[], scanned: number, lastScanned?: FeedPosition) => ({
    xmin: 50n,
    horizon: at(0, 0),
    matched: matched.map((position) => ({ at: position })),
    scanned,
    lastScanned,
  });

  it('ends a full page at its last event', () => {
    expect(nextPosition(at(1, 1), scan([at(3, 4), at(3, 5)], 2, at(3, 5)), 2, 2)).toEqual(at(3, 5));
  });

  it('moves a page that is not full to the frontier: everything below xmin has been looked at', () => {
    expect(nextPosition(at(1, 1), scan([at(3, 4)], 1, at(3, 4)), 2, 2)).toEqual(frontier(50n));
    expect(nextPosition(at(1, 1), scan([], 0), 2, 2)).toEqual(frontier(50n));
  });

  it('ends a filtered read whose scan budget ran out where the scan did', () => {
    expect(nextPosition(at(1, 1), scan([at(3, 4)], 5000, at(40, 2)), 100, 5000)).toEqual(at(40, 2));
  });

  it('never moves back', () => {
    expect(nextPosition(at(60, 1), scan([], 0), 2, 2)).toEqual(at(60, 1));
  });

  it('finds a cursor before the horizon purged, and one at or after it not', () => {
    expect(isPurged(at(5, 1), at(5, 2))).toBe(true);
    expect(isPurged(at(5, 2), at(5, 2))).toBe(false);
    expect(isPurged(at(6, 0), at(5, 2))).toBe(false);
  });
});
