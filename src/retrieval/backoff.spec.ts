import { describeSpan, MAX_RETRY_AFTER_MS, nextRetry, parseRetryAfter } from './backoff';

const DAY = 86_400_000;
const policy = { baseMs: 1_000, maxMs: 300_000, horizonMs: DAY };
const always = (value: number) => () => value;

describe('nextRetry', () => {
  it.each([
    // attempts, random, retryAfterMs, expected delay
    { attempts: 1, random: 0.999999, retryAfter: undefined, delay: 999 },
    { attempts: 2, random: 0.5, retryAfter: undefined, delay: 1_000 },
    { attempts: 3, random: 0.5, retryAfter: undefined, delay: 2_000 },
    { attempts: 7, random: 0.5, retryAfter: undefined, delay: 32_000 },
    { attempts: 1, random: 0, retryAfter: undefined, delay: 0 },
    { attempts: 0, random: 0.5, retryAfter: undefined, delay: 500 },
    // Retry-After wins when it asks for longer, loses when the jittered delay is longer.
    { attempts: 1, random: 0.5, retryAfter: 5_000, delay: 5_000 },
    { attempts: 7, random: 0.9, retryAfter: 5_000, delay: 57_600 },
    { attempts: 1, random: 0.5, retryAfter: 0, delay: 500 },
    // An absurd Retry-After is capped.
    { attempts: 1, random: 0.5, retryAfter: 10 * MAX_RETRY_AFTER_MS, delay: MAX_RETRY_AFTER_MS },
  ])(
    'after attempt $attempts with random $random and Retry-After $retryAfter waits $delay ms',
    ({ attempts, random, retryAfter, delay }) => {
      expect(nextRetry(attempts, 1_000, policy, always(random), retryAfter)).toEqual({ retry: true, delayMs: delay });
    },
  );

  it('never exceeds the cap, however many attempts', () => {
    for (const attempts of [10, 11, 20, 64, 500, 100_000]) {
      const decision = nextRetry(attempts, 60_000, policy, always(0.999999));
      expect(decision.retry && decision.delayMs).toBeLessThan(policy.maxMs);
      expect(decision.retry && decision.delayMs).toBeGreaterThan(policy.maxMs - 2);
    }
  });

  it('keeps retrying within the horizon however many attempts failed', () => {
    expect(nextRetry(10_000, DAY - 1, policy, always(0.5))).toMatchObject({ retry: true });
  });

  it.each([
    { elapsed: DAY, reason: 'gave up after 300 attempts over 24.0 h' },
    { elapsed: DAY + 3_600_000, reason: 'gave up after 300 attempts over 25.0 h' },
  ])('gives up once an attempt began $elapsed ms after the first, a full horizon', ({ elapsed, reason }) => {
    expect(nextRetry(300, elapsed, policy, always(0.5), 1_000)).toEqual({ retry: false, reason });
  });

  it('with a horizon of 0, gives up after the first transient failure', () => {
    expect(nextRetry(1, 0, { ...policy, horizonMs: 0 }, always(0.5))).toEqual({
      retry: false,
      reason: 'gave up after 1 attempts over 0 s',
    });
  });

  it('honours an attempt limit only when one is set', () => {
    expect(nextRetry(8, 5_000, { ...policy, maxAttempts: 8 }, always(0.5))).toEqual({ retry: false, reason: 'gave up after 8 attempts' });
    expect(nextRetry(7, 5_000, { ...policy, maxAttempts: 8 }, always(0.5))).toMatchObject({ retry: true });
    expect(nextRetry(8, 5_000, policy, always(0.5))).toMatchObject({ retry: true });
  });
});

describe('describeSpan', () => {
  it.each([
    [0, '0 s'],
    [42_400, '42 s'],
    [119_000, '119 s'],
    [17 * 60_000, '17 min'],
    [26.5 * 3_600_000, '26.5 h'],
  ])('%i ms reads %s', (ms, text) => expect(describeSpan(ms)).toBe(text));
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T10:00:00Z');

  it.each([
    { value: undefined, expected: undefined },
    { value: '', expected: undefined },
    { value: '0', expected: 0 },
    { value: '7', expected: 7_000 },
    { value: ' 120 ', expected: 120_000 },
    { value: ['3', '9'], expected: 3_000 },
    { value: '-1', expected: undefined },
    { value: '1.5', expected: undefined },
    { value: 'soon', expected: undefined },
    { value: 'Fri, 27 Nov 2026 10:00:30 GMT', expected: 30_000 },
    { value: 'Fri, 27 Nov 2026 09:59:00 GMT', expected: 0 },
    { value: 'Friday, 27-Nov-26 10:01:00 GMT', expected: 60_000 },
  ])('reads $value as $expected ms', ({ value, expected }) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
