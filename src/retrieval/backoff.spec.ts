import { MAX_RETRY_AFTER_MS, nextRetry, parseRetryAfter } from './backoff';

const policy = { baseMs: 1_000, maxMs: 300_000, maxAttempts: 8 };
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
      expect(nextRetry(attempts, policy, always(random), retryAfter)).toEqual({ retry: true, delayMs: delay });
    },
  );

  it('never exceeds the cap, however many attempts', () => {
    const wide = { ...policy, maxAttempts: 1_000 };
    for (const attempts of [10, 11, 20, 64, 500]) {
      const decision = nextRetry(attempts, wide, always(0.999999));
      expect(decision.retry && decision.delayMs).toBeLessThan(wide.maxMs);
      expect(decision.retry && decision.delayMs).toBeGreaterThan(wide.maxMs - 2);
    }
  });

  it.each([8, 9, 100])('gives up once %i attempts reached the limit of 8', (attempts) => {
    expect(nextRetry(attempts, policy, always(0.5), 1_000)).toEqual({ retry: false });
  });

  it('gives up at once with a limit of one attempt', () => {
    expect(nextRetry(1, { ...policy, maxAttempts: 1 }, always(0.5))).toEqual({ retry: false });
  });
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
