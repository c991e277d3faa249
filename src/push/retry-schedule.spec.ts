import { parseRetryAfter, retryDelayMs, RETRY_SCHEDULE_MS, scheduleExhausted } from './retry-schedule';

describe('retry schedule', () => {
  it.each([
    [1, 0.5, 5_000],
    [2, 0.5, 300_000],
    [9, 0.5, 86_400_000],
    [20, 0.5, 86_400_000],
    [1, 0, 4_000],
    [1, 1, 6_000],
  ])('waits after failure %i (random %d) %i ms', (failures, random, ms) => {
    expect(retryDelayMs(failures, () => random)).toBe(ms);
  });

  it('is exhausted only after every retry and the time the schedule spans', () => {
    const total = RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(scheduleExhausted(10, total)).toBe(true);
    expect(scheduleExhausted(9, total)).toBe(false);
    expect(scheduleExhausted(100, 3_600_000)).toBe(false);
  });

  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Thu, 03 Dec 2026 10:01:00 GMT', 60_000],
    ['999999', 86_400_000],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads Retry-After %p as %p ms', (value, ms) => {
    expect(parseRetryAfter(value, Date.parse('2026-12-03T10:00:00Z'))).toBe(ms);
  });
});
