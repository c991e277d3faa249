import { AdaptiveLimit, AdaptiveLimitSettings } from './adaptive-limit';

const SETTINGS: AdaptiveLimitSettings = { min: 1, max: 64, initial: 16, backoffRatio: 0.9, latencyTolerance: 2 };

/** One round trip: `limit` calls started at `at`, all answered `latencyMs` later. */
function roundTrip(limit: AdaptiveLimit, at: number, latencyMs = 500, group = 'contents'): number {
  const calls = limit.limit;
  for (let i = 0; i < calls; i++) limit.onSuccess({ startedAt: at, latencyMs, inFlight: calls - 1, group }, at + latencyMs);
  return at + latencyMs;
}

describe('AdaptiveLimit', () => {
  it.each([
    { trips: 1, expected: 32 },
    { trips: 2, expected: 64 },
    { trips: 9, expected: 64 },
  ])('doubles per round trip in slow start, up to max: $trips trip(s) → $expected', ({ trips, expected }) => {
    const limit = new AdaptiveLimit(SETTINGS);
    let now = 0;
    for (let i = 0; i < trips; i++) now = roundTrip(limit, now);
    expect(limit.limit).toBe(expected);
  });

  it('does not grow while the limit is not what holds calls back', () => {
    const limit = new AdaptiveLimit(SETTINGS);
    for (let i = 0; i < 100; i++) limit.onSuccess({ startedAt: i, latencyMs: 500, inFlight: 2, group: 'contents' }, i + 500);
    expect(limit.limit).toBe(16);
  });

  it.each([
    { refusedAt: 16, expected: 16 },
    { refusedAt: 5, expected: 5 },
    { refusedAt: 0, expected: 1 },
  ])('cuts to the calls under way when Suki refused one with 429 ($refusedAt → $expected)', ({ refusedAt, expected }) => {
    const limit = new AdaptiveLimit({ ...SETTINGS, initial: 24 });
    limit.onDrop({ startedAt: 0, inFlight: refusedAt, limited: true }, 10);
    expect(limit.limit).toBe(expected);
  });

  it('cuts multiplicatively on a 503 or timeout, once per round trip', () => {
    const limit = new AdaptiveLimit({ ...SETTINGS, initial: 40 });
    limit.onDrop({ startedAt: 0, inFlight: 39, limited: false }, 500);
    expect(limit.limit).toBe(36);
    // Calls begun before that cut report on the old limit.
    for (let i = 0; i < 10; i++) limit.onDrop({ startedAt: 1, inFlight: 39, limited: false }, 501 + i);
    expect(limit.limit).toBe(36);
    limit.onDrop({ startedAt: 600, inFlight: 35, limited: false }, 1100);
    expect(limit.limit).toBe(32);
  });

  it('lets the 429s of one round trip refine the cut to the fewest calls Suki took, and grows slowly from there', () => {
    const limit = new AdaptiveLimit({ ...SETTINGS, initial: 24 });
    limit.onDrop({ startedAt: 0, inFlight: 20, limited: true }, 10);
    limit.onDrop({ startedAt: 0, inFlight: 16, limited: true }, 11);
    limit.onDrop({ startedAt: 0, inFlight: 23, limited: true }, 12);
    expect(limit.limit).toBe(16);
    // Suki refused the 17th: the next try at 17 comes only after about eight round trips.
    let now = 20;
    let trips = 0;
    for (; limit.limit < 17; trips++) now = roundTrip(limit, now);
    expect(trips).toBeGreaterThanOrEqual(8);
  });

  it('grows one call per round trip after a cut, and eight times slower just below where Suki pushed back', () => {
    const limit = new AdaptiveLimit({ ...SETTINGS, initial: 20 });
    limit.onDrop({ startedAt: 0, inFlight: 19, limited: false }, 0); // 20 → 18, Suki pushed back at 20
    let now = 1;
    let trips = 0;
    for (; limit.limit < 19; trips++) now = roundTrip(limit, now);
    expect(trips).toBe(2);
    // From 19 (within one of 20) it takes about eight round trips to try 20 again.
    for (trips = 0; limit.limit < 20; trips++) now = roundTrip(limit, now);
    expect(trips).toBeGreaterThanOrEqual(8);
    expect(trips).toBeLessThanOrEqual(9);
  });

  it('forgets that level once it grew past it without a complaint', () => {
    const limit = new AdaptiveLimit({ ...SETTINGS, initial: 10 });
    limit.onDrop({ startedAt: 0, inFlight: 9, limited: false }, 0); // 9, ceiling 10
    let now = 1;
    for (let i = 0; i < 40; i++) now = roundTrip(limit, now);
    // 9 → 10 at normal speed, 10 → 11 at an eighth, then normal again: well past 12 by now.
    expect(limit.limit).toBeGreaterThan(14);
  });

  it('cuts when latency rises to twice its usual level, but not for a kind that is slow by nature', () => {
    const limit = new AdaptiveLimit({ ...SETTINGS, initial: 32 });
    let now = 0;
    for (let i = 0; i < 30; i++) limit.onSuccess({ startedAt: now, latencyMs: 500, inFlight: 0, group: 'contents' }, (now += 10));
    // Transcripts take four times as long, always: their own baseline.
    for (let i = 0; i < 30; i++) limit.onSuccess({ startedAt: now, latencyMs: 2000, inFlight: 0, group: 'transcripts' }, (now += 10));
    expect(limit.limit).toBe(32);
    // Calls begun together: one cut for the round trip, however many of them report slowly.
    const startedAt = now;
    for (let i = 0; i < 10; i++) limit.onSuccess({ startedAt, latencyMs: 2500, inFlight: 0, group: 'contents' }, (now += 10));
    expect(limit.limit).toBe(28);
  });

  it('stays within min and max', () => {
    const limit = new AdaptiveLimit({ ...SETTINGS, initial: 100, max: 8, min: 2 });
    expect(limit.limit).toBe(8);
    for (let i = 0; i < 50; i++) limit.onDrop({ startedAt: i * 1000, inFlight: 0, limited: false }, i * 1000 + 1);
    expect(limit.limit).toBe(2);
  });
});
